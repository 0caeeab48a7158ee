// A minimal ONNX model writer: hand-written protobuf encoding (varints, length-delimited fields, fixed32) of
// ModelProto / GraphProto / NodeProto / TensorProto / ValueInfoProto / AttributeProto, enough to express a ViT.
// Optimized for few copies of large weights (raw_data buffers are referenced, then copied once into the output).
// Field numbers match onnx/onnx.proto (IR version 8): e.g. ModelProto.graph = 7, GraphProto.initializer = 5.

/** TensorProto.DataType values used here (onnx.proto enum DataType). */
export const DataType = { FLOAT: 1, INT32: 6, INT64: 7 } as const;
export type ElemType = (typeof DataType)[keyof typeof DataType];

/** AttributeProto.AttributeType values used here. */
const AttrType = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

// Protobuf wire types.
const VARINT = 0;
const FIXED32 = 5;
const LEN = 2;

/**
 * One protobuf message under construction: a list of byte chunks plus their total length. Small fields are
 * gathered in `scratch` and flushed as one chunk; big byte fields (weights) are kept as references so a
 * 346 MB ViT-B is copied once, into the final buffer (rejected: a growable buffer re-copying on every grow).
 */
class Message {
  readonly chunks: Uint8Array[] = [];
  length = 0;
  private scratch: number[] = [];

  private flush(): void {
    if (this.scratch.length === 0) return;
    this.chunks.push(Uint8Array.from(this.scratch));
    this.scratch = [];
  }

  private byte(b: number): void {
    this.scratch.push(b);
    this.length++;
  }

  /** Unsigned varint of a non-negative integer below 2^53. */
  private uvarint(v: number): void {
    while (v >= 0x80) {
      this.byte((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.byte(v);
  }

  /** int64 varint: negative values take 10 bytes (two's complement, as protobuf encodes int64). */
  private varint64(v: number): void {
    if (!Number.isSafeInteger(v)) throw new RangeError(`onnx-writer: int64 value ${v} is not a safe integer`);
    if (v >= 0) return this.uvarint(v);
    let u = BigInt.asUintN(64, BigInt(v));
    while (u >= 0x80n) {
      this.byte(Number(u & 0x7fn) | 0x80);
      u >>= 7n;
    }
    this.byte(Number(u));
  }

  private tag(field: number, wire: number): void {
    this.uvarint(field * 8 + wire);
  }

  int(field: number, v: number): this {
    this.tag(field, VARINT);
    this.varint64(v);
    return this;
  }

  float(field: number, v: number): this {
    this.tag(field, FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    for (const x of b) this.byte(x);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  /** Length-delimited bytes; chunks above 256 bytes are referenced, not copied. */
  bytes(field: number, b: Uint8Array): this {
    this.tag(field, LEN);
    this.uvarint(b.length);
    if (b.length <= 256) {
      for (const x of b) this.byte(x);
    } else {
      this.flush();
      this.chunks.push(b);
      this.length += b.length;
    }
    return this;
  }

  /** Packed repeated int64 (proto3 default for repeated scalars). */
  packedInts(field: number, vs: readonly number[]): this {
    const inner = new Message();
    for (const v of vs) inner.varint64(v);
    return this.message(field, inner);
  }

  /** Packed repeated float. */
  packedFloats(field: number, vs: readonly number[]): this {
    const b = new Uint8Array(4 * vs.length);
    const dv = new DataView(b.buffer);
    vs.forEach((v, i) => dv.setFloat32(4 * i, v, true));
    return this.bytes(field, b);
  }

  message(field: number, m: Message): this {
    this.tag(field, LEN);
    this.uvarint(m.length);
    m.flush();
    this.flush();
    this.chunks.push(...m.chunks);
    this.length += m.length;
    return this;
  }

  finish(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.length);
    let off = 0;
    for (const c of this.chunks) {
      out.set(c, off);
      off += c.length;
    }
    if (off !== this.length) throw new Error(`onnx-writer: internal length mismatch (${off} written, ${this.length} counted)`);
    return out;
  }
}

/** An attribute value, tagged by its AttributeProto field: f (FLOAT), i (INT), s (STRING), floats, ints. */
export type Attr =
  | { f: number }
  | { i: number }
  | { s: string }
  | { floats: readonly number[] }
  | { ints: readonly number[] };

/** Shape of a graph input/output: numbers are fixed dims, strings are symbolic (e.g. 'batch'). */
export type Dims = readonly (number | string)[];

interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name: string;
  attrs: Record<string, Attr>;
  domain: string;
}

interface InitSpec {
  name: string;
  dims: number[];
  type: ElemType;
  raw: Uint8Array;
}

interface ValueSpec {
  name: string;
  type: ElemType;
  dims: Dims;
}

/**
 * Builds one ONNX graph. Node outputs get unique generated names unless given; `toBytes()` gives the
 * serialized ModelProto that onnxruntime accepts as a buffer.
 */
export class OnnxGraph {
  private readonly nodes: NodeSpec[] = [];
  private readonly inits: InitSpec[] = [];
  private readonly inputs: ValueSpec[] = [];
  private readonly outputs: ValueSpec[] = [];
  private readonly names = new Set<string>();
  private counter = 0;

  constructor(readonly graphName: string, readonly opset: number) {}

  private fresh(hint: string): string {
    let n: string;
    do n = `${hint}_${this.counter++}`;
    while (this.names.has(n));
    this.names.add(n);
    return n;
  }

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`onnx-writer: value name '${name}' is already defined in graph '${this.graphName}'`);
    this.names.add(name);
    return name;
  }

  input(name: string, type: ElemType, dims: Dims): string {
    this.inputs.push({ name: this.claim(name), type, dims });
    return name;
  }

  /** Marks an existing value as a graph output. */
  output(name: string, type: ElemType, dims: Dims): void {
    if (!this.names.has(name)) throw new Error(`onnx-writer: output '${name}' is not produced in graph '${this.graphName}'`);
    this.outputs.push({ name, type, dims });
  }

  /** A float32 initializer (the data is referenced until toBytes(); do not modify it before then). */
  f32(name: string, data: Float32Array, dims: readonly number[]): string {
    const n = dims.reduce((p, d) => p * d, 1);
    if (n !== data.length) throw new Error(`onnx-writer: initializer '${name}' has ${data.length} values, dims [${dims.join(', ')}] need ${n}`);
    this.inits.push({ name: this.claim(name), dims: [...dims], type: DataType.FLOAT, raw: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    return name;
  }

  /** An int64 initializer (shapes, axes, indices). */
  i64(name: string | null, values: readonly number[], dims: readonly number[] = [values.length]): string {
    const b = new BigInt64Array(values.map((v) => BigInt(v)));
    const n = name === null ? this.fresh('const') : this.claim(name);
    this.inits.push({ name: n, dims: [...dims], type: DataType.INT64, raw: new Uint8Array(b.buffer) });
    return n;
  }

  /** A scalar float32 constant (dims []). */
  scalar(value: number): string {
    const n = this.fresh('scalar');
    this.inits.push({ name: n, dims: [], type: DataType.FLOAT, raw: new Uint8Array(Float32Array.of(value).buffer) });
    return n;
  }

  /** Adds a node with one output (returned). */
  node(op: string, inputs: readonly string[], attrs: Record<string, Attr> = {}, outputName?: string, domain = ''): string {
    for (const i of inputs) {
      if (i !== '' && !this.names.has(i)) throw new Error(`onnx-writer: ${op} input '${i}' is not defined before use in graph '${this.graphName}'`);
    }
    const out = outputName === undefined ? this.fresh(op.toLowerCase()) : this.claim(outputName);
    this.nodes.push({ op, inputs: [...inputs], outputs: [out], name: `${op}_${this.nodes.length}`, attrs, domain });
    return out;
  }

  /** Serialized ModelProto. */
  toBytes(producer = 'patchwise-bench'): Uint8Array {
    const graph = new Message();
    for (const n of this.nodes) graph.message(1, encodeNode(n)); // GraphProto.node = 1
    graph.string(2, this.graphName); // GraphProto.name = 2
    for (const t of this.inits) graph.message(5, encodeTensor(t)); // GraphProto.initializer = 5
    for (const v of this.inputs) graph.message(11, encodeValueInfo(v)); // GraphProto.input = 11
    for (const v of this.outputs) graph.message(12, encodeValueInfo(v)); // GraphProto.output = 12

    const opset = new Message().string(1, '').int(2, this.opset); // OperatorSetIdProto {domain = 1, version = 2}
    const model = new Message();
    model.int(1, 8); // ModelProto.ir_version = 1 (IR 8 goes with opset 17-18)
    model.string(2, producer); // producer_name = 2
    model.message(7, graph); // graph = 7
    model.message(8, opset); // opset_import = 8
    if (this.nodes.some((n) => n.domain === 'com.microsoft')) model.message(8, new Message().string(1, 'com.microsoft').int(2, 1));
    return model.finish();
  }
}

function encodeNode(n: NodeSpec): Message {
  const m = new Message();
  for (const i of n.inputs) m.string(1, i); // NodeProto.input = 1
  for (const o of n.outputs) m.string(2, o); // output = 2
  m.string(3, n.name); // name = 3
  m.string(4, n.op); // op_type = 4
  for (const [name, a] of Object.entries(n.attrs)) m.message(5, encodeAttr(name, a)); // attribute = 5
  if (n.domain !== '') m.string(7, n.domain); // domain = 7
  return m;
}

function encodeAttr(name: string, a: Attr): Message {
  const m = new Message().string(1, name); // AttributeProto.name = 1
  if ('f' in a) m.float(2, a.f).int(20, AttrType.FLOAT); // f = 2, type = 20
  else if ('i' in a) m.int(3, a.i).int(20, AttrType.INT); // i = 3
  else if ('s' in a) m.string(4, a.s).int(20, AttrType.STRING); // s = 4
  else if ('floats' in a) m.packedFloats(7, a.floats).int(20, AttrType.FLOATS); // floats = 7
  else m.packedInts(8, a.ints).int(20, AttrType.INTS); // ints = 8
  return m;
}

function encodeTensor(t: InitSpec): Message {
  const m = new Message();
  if (t.dims.length > 0) m.packedInts(1, t.dims); // TensorProto.dims = 1
  m.int(2, t.type); // data_type = 2
  m.string(8, t.name); // name = 8
  m.bytes(9, t.raw); // raw_data = 9 (little-endian, which every platform Node runs on is)
  return m;
}

function encodeValueInfo(v: ValueSpec): Message {
  const shape = new Message();
  for (const d of v.dims) {
    // TensorShapeProto.dim = 1; Dimension {dim_value = 1, dim_param = 2}
    shape.message(1, typeof d === 'number' ? new Message().int(1, d) : new Message().string(2, d));
  }
  const tensorType = new Message().int(1, v.type).message(2, shape); // TypeProto.Tensor {elem_type = 1, shape = 2}
  const type = new Message().message(1, tensorType); // TypeProto.tensor_type = 1
  return new Message().string(1, v.name).message(2, type); // ValueInfoProto {name = 1, type = 2}
}
