export { CountryDatabase, type CountryLookup } from "./country-database";
export { EMBEDDED_COUNTRY_DATA, openCountryDatabase } from "./embedded-country-data";
export { publicAddress } from "./public-address";
