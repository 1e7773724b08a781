export { UrlClassifier } from "./url-classifier.ts";
export { LinkClassifier, type LinkClassifierStats } from "./link-classifier.ts";
export { classifierLoadOptions, classifierMissing } from "./compiled-runtime.ts";
export { deceptiveHost } from "./host-spoofing.ts";
