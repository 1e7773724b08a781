// Serialises the linear model to ONNX and reads it back. Reading is here too so
// the parity test can run referencePredict on exactly the shipped weights.

import { onnx } from "onnx-proto";
import type { LinearWeights } from "./reference.ts";

export const INPUT_NAME = "features";
export const OUTPUT_NAME = "probabilities";
const OPSET = 13;
const IR_VERSION = 8;

export interface ModelMetadata {
  readonly labels: readonly string[];
  readonly featureVersion: string;
}

function floatTensor(name: string, dims: number[], data: Float32Array): onnx.ITensorProto {
  // Explicit little-endian so the file is identical whatever machine trains it.
  const bytes = new Uint8Array(data.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i] ?? 0, true);
  return { name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: bytes };
}

function floatValueInfo(name: string, dims: Array<number | string>): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/** features[N, D] x W[D, C] + B[C] -> Softmax -> probabilities[N, C]. */
export function buildOnnxModel(weights: LinearWeights, meta: ModelMetadata): Uint8Array {
  const { inputDim: d, numClasses: c } = weights;
  if (meta.labels.length !== c) throw new Error(`${meta.labels.length} labels for ${c} classes`);
  const graph: onnx.IGraphProto = {
    name: "url_classifier",
    initializer: [floatTensor("W", [d, c], weights.weight), floatTensor("B", [c], weights.bias)],
    input: [floatValueInfo(INPUT_NAME, ["N", d])],
    output: [floatValueInfo(OUTPUT_NAME, ["N", c])],
    node: [
      { name: "matmul", opType: "MatMul", input: [INPUT_NAME, "W"], output: ["logits_raw"] },
      { name: "bias", opType: "Add", input: ["logits_raw", "B"], output: ["logits"] },
      {
        name: "softmax",
        opType: "Softmax",
        input: ["logits"],
        output: [OUTPUT_NAME],
        attribute: [{ name: "axis", type: onnx.AttributeProto.AttributeType.INT, i: 1 }],
      },
    ],
  };
  const model: onnx.IModelProto = {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: "", version: OPSET }],
    producerName: "ringlink-train",
    producerVersion: "1",
    modelVersion: 1,
    docString: "ringlink URL classifier: multinomial logistic regression over hashed URL features",
    graph,
    metadataProps: [
      { key: "labels", value: JSON.stringify(meta.labels) },
      { key: "feature_version", value: meta.featureVersion },
    ],
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

function readFloats(t: onnx.ITensorProto): Float32Array {
  const raw = t.rawData;
  if (raw && raw.length > 0) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const out = new Float32Array(raw.byteLength / 4);
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
    return out;
  }
  return Float32Array.from(t.floatData ?? []);
}

/** Extracts the weights and metadata written by buildOnnxModel. */
export function readOnnxModel(bytes: Uint8Array): { weights: LinearWeights; meta: ModelMetadata } {
  const model = onnx.ModelProto.decode(bytes);
  const init = new Map((model.graph?.initializer ?? []).map((t) => [t.name, t]));
  const w = init.get("W");
  const b = init.get("B");
  if (!w || !b) throw new Error("model has no W/B initializers");
  const [d, c] = (w.dims ?? []).map(Number);
  if (d === undefined || c === undefined) throw new Error("W must be 2-D");
  const props = new Map((model.metadataProps ?? []).map((p) => [p.key, p.value]));
  return {
    weights: { inputDim: d, numClasses: c, weight: readFloats(w), bias: readFloats(b) },
    meta: {
      labels: JSON.parse(props.get("labels") ?? "[]") as string[],
      featureVersion: props.get("feature_version") ?? "",
    },
  };
}
