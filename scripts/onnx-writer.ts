/**
 * Just enough of the ONNX protobuf format to write small test graphs (scripts/tiny-clip.ts), so no
 * Python or onnx package is needed. Field numbers are onnx.proto's; repeated scalars are written
 * unpacked, which every protobuf reader accepts.
 */

class Proto {
  private parts: Buffer[] = [];
  private key(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }
  private varint(v: number | bigint): void {
    let x = BigInt.asUintN(64, BigInt(v));
    const bytes: number[] = [];
    do {
      let b = Number(x & 0x7fn);
      x >>= 7n;
      if (x) b |= 0x80;
      bytes.push(b);
    } while (x);
    this.parts.push(Buffer.from(bytes));
  }
  int(field: number, v: number | bigint): this {
    this.key(field, 0);
    this.varint(v);
    return this;
  }
  ints(field: number, vs: readonly number[]): this {
    for (const v of vs) this.int(field, v);
    return this;
  }
  bytes(field: number, b: Uint8Array): this {
    this.key(field, 2);
    this.varint(b.length);
    this.parts.push(Buffer.from(b));
    return this;
  }
  str(field: number, s: string): this {
    return this.bytes(field, Buffer.from(s, 'utf8'));
  }
  msg(field: number, m: Proto): this {
    return this.bytes(field, m.done());
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

export const ELEM = { float: 1, int64: 7, bool: 9 } as const;
type Elem = keyof typeof ELEM;

/** A dimension: a fixed size, or a symbolic name such as "batch". */
export type Dim = number | string;

export interface Tensor {
  name: string;
  type: Elem;
  dims: number[];
  data: Float32Array | BigInt64Array;
}

export interface Node {
  op: string;
  inputs: string[];
  outputs: string[];
  /** Integer and integer-list attributes are all these graphs need. */
  attrs?: Record<string, number | number[]>;
}

export interface Graph {
  name: string;
  nodes: Node[];
  initializers: Tensor[];
  inputs: { name: string; type: Elem; shape: Dim[] }[];
  outputs: { name: string; type: Elem; shape: Dim[] }[];
}

function valueInfo(v: { name: string; type: Elem; shape: Dim[] }): Proto {
  const shape = new Proto();
  for (const d of v.shape) shape.msg(1, typeof d === 'number' ? new Proto().int(1, d) : new Proto().str(2, d));
  const tensorType = new Proto().int(1, ELEM[v.type]).msg(2, shape);
  return new Proto().str(1, v.name).msg(2, new Proto().msg(1, tensorType));
}

function tensor(t: Tensor): Proto {
  const p = new Proto().ints(1, t.dims).int(2, ELEM[t.type]).str(8, t.name);
  return p.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

function node(n: Node, i: number): Proto {
  const p = new Proto();
  for (const x of n.inputs) p.str(1, x);
  for (const x of n.outputs) p.str(2, x);
  p.str(3, `${n.op.toLowerCase()}_${i}`).str(4, n.op);
  for (const [name, v] of Object.entries(n.attrs ?? {})) {
    const a = new Proto().str(1, name);
    if (Array.isArray(v)) a.ints(8, v).int(20, 7); // INTS
    else a.int(3, v).int(20, 2); // INT
    p.msg(5, a);
  }
  return p;
}

/** A complete ModelProto (IR version 8, default-domain opset 13). */
export function onnxModel(g: Graph, producer: string): Buffer {
  const graph = new Proto();
  g.nodes.forEach((n, i) => graph.msg(1, node(n, i)));
  graph.str(2, g.name);
  for (const t of g.initializers) graph.msg(5, tensor(t));
  for (const v of g.inputs) graph.msg(11, valueInfo(v));
  for (const v of g.outputs) graph.msg(12, valueInfo(v));
  return new Proto().int(1, 8).str(2, producer).msg(7, graph).msg(8, new Proto().str(1, '').int(2, 13)).done();
}
