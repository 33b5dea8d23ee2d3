/**
 * Models that lie: structurally valid flatbuffers whose contents contradict themselves or ask for the
 * impossible. Each must be rejected by loadModel (before any compilation or execution) with a clear one-line
 * diagnostic carrying the expected stable code, and exit status 1 (or 2 for "not supported").
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/api/model.js';
import { MnetcError } from '../../src/diagnostics.js';
import { buildModel, int32Data, int64Data, int8Data, type ModelSpec, type OpSpec, type TensorSpec } from '../helpers/build-model.js';

const dir = mkdtempSync(join(tmpdir(), 'mnetc-lying-'));
let n = 0;

/** loadModel on the built file: the diagnostics it throws (the test fails if it loads or throws anything else) */
function diagnose(bytes: Uint8Array): { codes: string[]; messages: string[]; exitCode: number } {
  const path = join(dir, `m${n++}.tflite`);
  writeFileSync(path, bytes);
  try {
    loadModel(path);
  } catch (e) {
    if (!(e instanceof MnetcError)) throw new Error(`not a diagnostic: ${(e as Error).stack}`);
    for (const d of e.diagnostics) {
      expect(d.code).toMatch(/^MN[1-3]\d\d$/);
      expect(d.message.length).toBeGreaterThan(10);
      expect(d.message).not.toMatch(/\n|undefined|\[object/);
    }
    return { codes: e.diagnostics.map((d) => d.code), messages: e.diagnostics.map((d) => d.message), exitCode: e.exitCode };
  }
  throw new Error('the model loaded, but it lies');
}

function expectCode(bytes: Uint8Array, code: string, message?: RegExp): void {
  const r = diagnose(bytes);
  expect(r.codes).toContain(code);
  expect(r.exitCode).toBe(code.startsWith('MN3') ? 2 : 1);
  if (message) expect(r.messages.join('\n')).toMatch(message);
}

/** A valid model (conv 3x3 stride 2, then RELU) whose spec each case edits. */
function base(): ModelSpec {
  const tensors: TensorSpec[] = [
    { name: 'input', shape: [1, 8, 8, 3], dtype: 'int8', scale: [0.02], zeroPoint: [-3] },
    { name: 'w', shape: [4, 3, 3, 3], dtype: 'int8', scale: [0.01, 0.02, 0.015, 0.03], zeroPoint: [0, 0, 0, 0], axis: 0, data: int8Data(108, 1) },
    { name: 'b', shape: [4], dtype: 'int32', scale: [0.0002, 0.0004, 0.0003, 0.0006], zeroPoint: [0, 0, 0, 0], data: int32Data([100, -50, 7, 0]) },
    { name: 'conv', shape: [1, 4, 4, 4], dtype: 'int8', scale: [0.05], zeroPoint: [-128] },
    { name: 'relu', shape: [1, 4, 4, 4], dtype: 'int8', scale: [0.05], zeroPoint: [-128] },
  ];
  const ops: OpSpec[] = [
    { op: 'CONV_2D', inputs: [0, 1, 2], outputs: [3], conv: { stride: 2, activation: 'RELU6' } },
    { op: 'RELU', inputs: [3], outputs: [4] },
  ];
  return { tensors, ops, inputs: [0], outputs: [4] };
}

function edit(f: (s: ModelSpec) => void): Uint8Array {
  const s = base();
  f(s);
  return buildModel(s);
}

describe('the base model', () => {
  it('is valid', () => {
    const path = join(dir, 'base.tflite');
    writeFileSync(path, buildModel(base()));
    expect(loadModel(path).ops).toHaveLength(2);
  });
});

describe('shapes inconsistent with buffers', () => {
  it('weights with fewer bytes than their shape needs', () => expectCode(edit((s) => { s.tensors[1]!.data = int8Data(100, 1); }), 'MN203', /needs 108/));
  it('weights with more bytes than their shape needs', () => expectCode(edit((s) => { s.tensors[1]!.shape = [4, 3, 3, 2]; }), 'MN203'));
  it('a bias whose buffer holds 3 of 4 values', () => expectCode(edit((s) => { s.tensors[2]!.data = int32Data([1, 2, 3]); }), 'MN203'));
  it('a buffer that claims data outside the file', () => expectCode(edit((s) => { s.tensors[1] = { ...s.tensors[1]!, data: undefined, external: { offset: 1000n, size: 108n } }; }), 'MN108'));
  it('a conv output shape that does not match the convolution', () => expectCode(edit((s) => { s.tensors[3]!.shape = [1, 8, 8, 4]; s.tensors[4]!.shape = [1, 8, 8, 4]; }), 'MN205', /does not match the computed/));
  it('an element-wise op whose output is smaller than its input', () => expectCode(edit((s) => { s.tensors[4]!.shape = [1, 4, 4, 2]; }), 'MN205', /differs from the input/));
  it('a depthwise filter that is not [1, kh, kw, channels]', () => {
    expectCode(edit((s) => {
      s.tensors[1] = { name: 'dw', shape: [2, 3, 3, 2], dtype: 'int8', scale: [0.01, 0.02], axis: 3, data: int8Data(36, 2) };
      s.tensors[2] = { name: 'b', shape: [2], dtype: 'int32', data: int32Data([1, 2]) };
      s.tensors[0]!.shape = [1, 8, 8, 2];
      s.tensors[3]!.shape = [1, 4, 4, 2];
      s.tensors[4]!.shape = [1, 4, 4, 2];
      s.ops[0] = { op: 'DEPTHWISE_CONV_2D', inputs: [0, 1, 2], outputs: [3], conv: { stride: 2 } };
    }), 'MN205', /must be \[1, kh, kw, channels\]/);
  });
  it('a negative dimension', () => expectCode(edit((s) => { s.tensors[4]!.shape = [1, -4, 4, 4]; }), 'MN202'));
  it('an empty dimension', () => expectCode(edit((s) => { s.tensors[4]!.shape = [1, 4, 0, 4]; }), 'MN202', /empty dimension/));
  it('a rank-7 tensor', () => expectCode(edit((s) => { s.tensors[4]!.shape = [1, 1, 1, 1, 4, 4, 4]; }), 'MN202', /rank 7/));
});

describe('quantization arrays of the wrong length', () => {
  it('4 scales but 3 zero points', () => expectCode(edit((s) => { s.tensors[1]!.zeroPoint = [0, 0, 0]; }), 'MN204', /4 scales but 3 zero points/));
  it('3 per-channel scales for 4 output channels', () => expectCode(edit((s) => { s.tensors[1]!.scale = [0.01, 0.02, 0.03]; s.tensors[1]!.zeroPoint = [0, 0, 0]; }), 'MN204', /3 scales for 4 channels/));
  it('per-channel scales along the wrong axis', () => {
    expectCode(edit((s) => { s.tensors[1]!.shape = [4, 3, 3, 3]; s.tensors[1]!.scale = [0.01, 0.02, 0.03]; s.tensors[1]!.zeroPoint = [0, 0, 0]; s.tensors[1]!.axis = 3; }), 'MN204', /axis 3; expected 1 or 4 along axis 0/);
  });
  it('per-channel scales on an activation tensor', () => expectCode(edit((s) => { s.tensors[3]!.scale = [0.05, 0.05, 0.05, 0.05]; s.tensors[3]!.zeroPoint = [0, 0, 0, 0]; s.tensors[3]!.axis = 3; }), 'MN204', /per-channel quantization is supported for weights and biases only/));
  it('an int8 activation without quantization', () => expectCode(edit((s) => { delete s.tensors[3]!.scale; delete s.tensors[3]!.zeroPoint; }), 'MN204', /no quantization parameters/));
});

describe('scales that are 0, negative, NaN, infinite or denormal', () => {
  for (const [label, v] of [['0', 0], ['negative', -0.05], ['NaN', NaN], ['infinite', Infinity], ['denormal', 1e-40], ['-0', -0]] as const) {
    it(`an activation scale that is ${label}`, () => expectCode(edit((s) => { s.tensors[3]!.scale = [v]; }), 'MN204', /scales must be finite and positive/));
    it(`a per-channel weight scale that is ${label}`, () => expectCode(edit((s) => { s.tensors[1]!.scale = [0.01, v, 0.015, 0.03]; }), 'MN204', /scales must be finite and positive/));
  }
  it('scales whose ratio gives a multiplier the fixed-point code cannot hold', () => {
    expectCode(edit((s) => { s.tensors[0]!.scale = [1e10]; s.tensors[3]!.scale = [1e-20]; }), 'MN204', /multiplier/);
  });
  it('an ADD whose output scale is too small for its inputs', () => {
    expectCode(edit((s) => {
      s.tensors.push({ name: 'sum', shape: [1, 4, 4, 4], dtype: 'int8', scale: [1e-9], zeroPoint: [0] });
      s.ops.push({ op: 'ADD', inputs: [3, 4], outputs: [5] });
      s.outputs = [5];
    }), 'MN204', /too small/);
  });
  it('a SOFTMAX beta that is 0 or NaN', () => {
    for (const beta of [0, NaN, -1]) {
      expectCode(edit((s) => {
        s.tensors.push({ name: 'prob', shape: [1, 4, 4, 4], dtype: 'int8', scale: [1 / 256], zeroPoint: [-128] });
        s.ops.push({ op: 'SOFTMAX', inputs: [4], outputs: [5], beta });
        s.outputs = [5];
      }), 'MN209', /beta/);
    }
  });
});

describe('zero points out of range', () => {
  it('an int8 zero point of 200', () => expectCode(edit((s) => { s.tensors[0]!.zeroPoint = [200]; }), 'MN204', /outside the int8 range/));
  it('an int8 zero point of -129', () => expectCode(edit((s) => { s.tensors[4]!.zeroPoint = [-129]; }), 'MN204'));
  it('a zero point beyond int32', () => expectCode(edit((s) => { s.tensors[0]!.zeroPoint = [2 ** 40]; }), 'MN204', /outside int32/));
  it('a non-zero zero point on int8 weights', () => expectCode(edit((s) => { s.tensors[1]!.zeroPoint = [0, 3, 0, 0]; }), 'MN204', /zero points of 0/));
});

describe('per-channel axes that do not exist', () => {
  it('axis 7 of a rank-4 filter', () => expectCode(edit((s) => { s.tensors[1]!.axis = 7; }), 'MN204', /axis 7, but has rank 4/));
  it('axis -1', () => expectCode(edit((s) => { s.tensors[1]!.axis = -1; }), 'MN204'));
});

describe('strides, dilations and windows of 0', () => {
  it('a conv stride of 0', () => expectCode(edit((s) => { s.ops[0]!.conv = { stride: 0 }; }), 'MN209', /stride_[hw] is 0/));
  it('a conv stride_h of 0 only', () => expectCode(edit((s) => { s.ops[0]!.conv = { strideH: 0, strideW: 2 }; }), 'MN209', /stride_h is 0/));
  it('a conv dilation of 0', () => expectCode(edit((s) => { s.ops[0]!.conv = { stride: 2, dilation: 0 }; }), 'MN209', /dilation_[hw] is 0/));
  it('a negative conv stride', () => expectCode(edit((s) => { s.ops[0]!.conv = { stride: -2 }; }), 'MN209'));
  it('a depthwise stride of 0', () => {
    expectCode(edit((s) => {
      s.tensors[1] = { name: 'dw', shape: [1, 3, 3, 3], dtype: 'int8', scale: [0.01, 0.02, 0.03], axis: 3, data: int8Data(27, 2) };
      s.tensors[2] = { name: 'b', shape: [3], dtype: 'int32', data: int32Data([1, 2, 3]) };
      s.tensors[3]!.shape = [1, 4, 4, 3];
      s.tensors[4]!.shape = [1, 4, 4, 3];
      s.ops[0] = { op: 'DEPTHWISE_CONV_2D', inputs: [0, 1, 2], outputs: [3], conv: { stride: 0 } };
    }), 'MN209');
  });
  it('a pooling stride or filter of 0', () => {
    for (const pool of [{ filter: 2, stride: 0 }, { filter: 0, stride: 2 }]) {
      expectCode(edit((s) => {
        s.tensors.push({ name: 'pool', shape: [1, 2, 2, 4], dtype: 'int8', scale: [0.05], zeroPoint: [-128] });
        s.ops.push({ op: 'MAX_POOL_2D', inputs: [4], outputs: [5], pool });
        s.outputs = [5];
      }), 'MN209');
    }
  });
  it('negative paddings', () => {
    expectCode(edit((s) => {
      s.tensors.push({ name: 'paddings', shape: [4, 2], dtype: 'int32', data: int32Data([0, 0, -1, 1, 0, 0, 0, 0]) });
      s.tensors.push({ name: 'pad', shape: [1, 4, 4, 4], dtype: 'int8', scale: [0.05], zeroPoint: [-128] });
      s.ops.push({ op: 'PAD', inputs: [4, 5], outputs: [6] });
      s.outputs = [6];
    }), 'MN209', /paddings/);
  });
  it('paddings that do not give the output shape', () => {
    expectCode(edit((s) => {
      s.tensors.push({ name: 'paddings', shape: [4, 2], dtype: 'int64', data: int64Data([0, 0, 1, 1, 0, 0, 0, 0]) });
      s.tensors.push({ name: 'pad', shape: [1, 4, 4, 4], dtype: 'int8', scale: [0.05], zeroPoint: [-128] });
      s.ops.push({ op: 'PAD', inputs: [4, 5], outputs: [6] });
      s.outputs = [6];
    }), 'MN205', /padded \[1,6,4,4\]/);
  });
  it('a transpose permutation that is not one', () => {
    expectCode(edit((s) => {
      s.tensors.push({ name: 'perm', shape: [4], dtype: 'int32', data: int32Data([0, 2, 2, 3]) });
      s.tensors.push({ name: 't', shape: [1, 4, 4, 4], dtype: 'int8', scale: [0.05], zeroPoint: [-128] });
      s.ops.push({ op: 'TRANSPOSE', inputs: [4, 5], outputs: [6] });
      s.outputs = [6];
    }), 'MN209', /not a permutation/);
  });
  it('a concatenation axis that does not exist', () => {
    expectCode(edit((s) => {
      s.tensors.push({ name: 'cat', shape: [1, 4, 4, 8], dtype: 'int8', scale: [0.05], zeroPoint: [-128] });
      s.ops.push({ op: 'CONCATENATION', inputs: [3, 4], outputs: [5], axis: 4 });
      s.outputs = [5];
    }), 'MN209', /axis 4 is out of range/);
  });
  it('a MEAN axis that does not exist', () => {
    expectCode(edit((s) => {
      s.tensors.push({ name: 'axes', shape: [2], dtype: 'int32', data: int32Data([1, 5]) });
      s.tensors.push({ name: 'mean', shape: [1, 1, 1, 4], dtype: 'int8', scale: [0.05], zeroPoint: [-128] });
      s.ops.push({ op: 'MEAN', inputs: [4, 5], outputs: [6], keepDims: true });
      s.outputs = [6];
    }), 'MN209', /axis 5 is out of range/);
  });
});

describe('graphs that cannot execute', () => {
  it('a tensor used before it is produced', () => expectCode(edit((s) => { s.ops.reverse(); }), 'MN206', /before any operator writes it/));
  it('a cycle', () => {
    expectCode(edit((s) => {
      s.tensors.push({ name: 'loop', shape: [1, 4, 4, 4], dtype: 'int8', scale: [0.05], zeroPoint: [-128] });
      s.ops = [
        { op: 'ADD', inputs: [5, 5], outputs: [3] },
        { op: 'RELU', inputs: [3], outputs: [5] },
        { op: 'RELU', inputs: [5], outputs: [4] },
      ];
    }), 'MN206', /cycle/);
  });
  it('an operator that writes its own input', () => expectCode(edit((s) => { s.ops[1] = { op: 'RELU', inputs: [4], outputs: [4] }; }), 'MN206'));
  it('two operators writing one tensor', () => expectCode(edit((s) => { s.ops[1] = { op: 'RELU', inputs: [3], outputs: [3] }; }), 'MN206', /already written/));
  it('an operator that overwrites the model input', () => expectCode(edit((s) => { s.ops.push({ op: 'RELU', inputs: [4], outputs: [0] }); }), 'MN206'));
  it('a model output nobody writes', () => expectCode(edit((s) => { s.ops.pop(); }), 'MN206', /never written/));
  it('no outputs', () => expectCode(edit((s) => { s.outputs = []; }), 'MN207', /no outputs/));
  it('no inputs', () => expectCode(edit((s) => { s.inputs = []; }), 'MN207', /no inputs/));
  it('the same output listed twice', () => expectCode(edit((s) => { s.outputs = [4, 4]; }), 'MN205', /twice/));
  // both compiled to wrong C before (a build error, and a RESHAPE aliasing arena bytes a constant does not have)
  it('a model output that is a constant', () => expectCode(edit((s) => { s.outputs = [4, 1]; }), 'MN302', /is a constant tensor/));
  it('a RESHAPE of a constant', () => {
    expectCode(edit((s) => {
      s.tensors.push({ name: 'table', shape: [1, 4, 4, 4], dtype: 'int8', scale: [0.05], zeroPoint: [-128], data: int8Data(64, 5) });
      s.tensors.push({ name: 'table_flat', shape: [1, 64], dtype: 'int8', scale: [0.05], zeroPoint: [-128] });
      s.ops.push({ op: 'RESHAPE', inputs: [5], outputs: [6] });
      s.outputs = [4, 6];
    }), 'MN302', /constant RESHAPE/);
  });
  it('an operator reading a tensor that does not exist', () => expectCode(edit((s) => { s.ops[1]!.inputs = [17]; }), 'MN201'));
  it('an operator with too many inputs', () => expectCode(edit((s) => { s.ops[1]!.inputs = [3, 3]; }), 'MN205', /takes 1/));
  it('an operator with two outputs', () => {
    expectCode(edit((s) => {
      s.tensors.push({ name: 'extra', shape: [1, 4, 4, 4], dtype: 'int8', scale: [0.05], zeroPoint: [-128] });
      s.ops[1]!.outputs = [4, 5];
    }), 'MN205', /produces 1/);
  });
});

describe('1 GB declared sizes', () => {
  it('an int8 activation of 1 GiB', () => {
    expectCode(edit((s) => {
      s.tensors.push({ name: 'huge', shape: [1, 16384, 16384, 4], dtype: 'int8', scale: [0.05], zeroPoint: [-128] });
      s.tensors.push({ name: 'size', shape: [2], dtype: 'int32', data: int32Data([16384, 16384]) });
      s.ops.push({ op: 'RESIZE_NEAREST_NEIGHBOR', inputs: [4, 6], outputs: [5] });
      s.outputs = [5];
    }), 'MN202', /more than/);
  });
  it('an int32 tensor of 1 GiB (2^28 elements)', () => expectCode(edit((s) => { s.tensors.push({ name: 'huge32', shape: [1, 16384, 16384, 1], dtype: 'int32' }); }), 'MN202'));
  it('a shape of 2^62 elements', () => expectCode(edit((s) => { s.tensors[4]!.shape = [2147483647, 2147483647, 1, 1]; }), 'MN202'));
  it('a buffer that claims 1 GiB outside the file', () => expectCode(edit((s) => { s.tensors[1] = { ...s.tensors[1]!, data: undefined, external: { offset: 64n, size: 1n << 30n } }; }), 'MN108', /claims bytes/));
  it('a buffer at an offset beyond 2^53', () => expectCode(edit((s) => { s.tensors[1] = { ...s.tensors[1]!, data: undefined, external: { offset: (1n << 62n) + 1n, size: 108n } }; }), 'MN108'));
  it('activations that add up to more than 256 MiB', () => {
    expectCode(edit((s) => {
      s.tensors[0]!.shape = [1, 4096, 4096, 3];
      // 48 MiB each, 6 of them
      let prev = 0;
      s.ops = [];
      for (let k = 0; k < 6; k++) {
        s.tensors.push({ name: `r${k}`, shape: [1, 4096, 4096, 3], dtype: 'int8', scale: [0.05], zeroPoint: [0] });
        s.ops.push({ op: 'RELU', inputs: [prev], outputs: [s.tensors.length - 1] });
        prev = s.tensors.length - 1;
      }
      s.outputs = [prev];
    }), 'MN202', /activation tensors declare/);
  });
});

describe('graphs far bigger than any MobileNet', () => {
  it('5,000 operators', () => {
    expectCode(edit((s) => {
      for (let k = 0; k < 5000; k++) {
        s.tensors.push({ name: `r${k}`, shape: [1, 4, 4, 4], dtype: 'int8', scale: [0.05], zeroPoint: [-128] });
        s.ops.push({ op: 'RELU', inputs: [s.tensors.length - 2], outputs: [s.tensors.length - 1] });
      }
      s.outputs = [s.tensors.length - 1];
    }), 'MN107', /5002 operators/);
  });
  it('60,000 model outputs are rejected in linear time', () => {
    const t0 = Date.now();
    expectCode(edit((s) => {
      for (let k = 0; k < 60000; k++) s.tensors.push({ name: `o${k}`, shape: [1], dtype: 'int8', scale: [0.05] });
      s.outputs = s.tensors.map((_, k) => k).slice(5);
    }), 'MN206', /never written/);
    expect(Date.now() - t0).toBeLessThan(20_000);
  }, 60_000);
});
