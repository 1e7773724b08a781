// Public surface of the URL classifier. Training-only helpers (ONNX writing,
// the optimiser) stay out of it so importing this doesn't pull them in.

export { UrlClassifier, type ClassifierResult, type LoadOptions } from "./url-classifier.ts";
export { LABELS, isUrlLabel, type UrlLabel } from "./labels.ts";
export { FEATURE_DIM, FEATURE_VERSION, extractFeatures, extractBatch } from "./features.ts";
export { registrableDomain } from "./domain.ts";
export { referencePredict, type LinearWeights } from "./reference.ts";
export { LinkClassifier, type Classifier, type LinkClassifierStats } from "./link-classifier.ts";
export { classifierLoadOptions, isCompiledBinary } from "./compiled-runtime.ts";
export { deceptiveHost } from "./host-spoofing.ts";
export { skeleton, foldedSkeleton, confusablePrototypes, ASCII_PROTOTYPES } from "./confusables.ts";
export { isHighlyRestrictive } from "./scripts.ts";
