/**
 * The country data shipped with ringlink: @ip-location-db/geo-whois-asn-country-mmdb (package CC0;
 * built from GeoFeed, RIR WHOIS and RIR ASN data, the latter two CC BY 4.0 by the NRO, credited in
 * the README). Imported as a file so `bun build --compile` embeds it in the binary; a newer
 * `bun add` of the package is how the data is refreshed.
 */
import countryData from "@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb" with { type: "file" };
import { CountryDatabase } from "./country-database";

export const EMBEDDED_COUNTRY_DATA: string = countryData;

/** GEOIP_DATABASE: `embedded` (the shipped data), a path to another country .mmdb file, or null (off). */
export function openCountryDatabase(source: string | null): CountryDatabase | null {
  if (source === null) return null;
  return CountryDatabase.fromFile(source === "embedded" ? EMBEDDED_COUNTRY_DATA : source);
}
