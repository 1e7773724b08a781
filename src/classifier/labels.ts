// The label set is part of the model contract: its order is the column order of
// the ONNX output and of models/labels.json.

export const LABELS = [
  "news",
  "social",
  "shopping",
  "technology",
  "developer",
  "finance",
  "entertainment",
  "sports",
  "health",
  "education",
  "travel",
  "government",
  "food",
  "suspicious",
] as const;

export type UrlLabel = (typeof LABELS)[number];

export function isUrlLabel(value: string): value is UrlLabel {
  return (LABELS as readonly string[]).includes(value);
}
