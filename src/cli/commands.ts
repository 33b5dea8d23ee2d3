/** The subcommands. Each one parses its flags, calls src/api, and prints. */
import { Command, Option } from 'commander';
import { loadModel } from '../api/model.js';
import { readInputs, splitList, writeOutputs } from '../api/io.js';
import { engineNames, runEngine } from '../api/engines.js';
import { fail } from '../diagnostics.js';
import { inspectGraph, type TensorSummary } from '../ir/inspect.js';
import { formatBytes, formatInt, formatShape, formatTable } from './format.js';
import { compileGraph, writeModule, type MemoryPlanMode } from '../codegen/index.js';
import { goldenTest, randomInput } from '../api/golden-test.js';
import { writeFileSync } from 'node:fs';
import { planHtml, planText } from '../report/plan.js';
import { evaluate } from '../api/evaluate.js';
import { benchModel } from '../api/bench.js';
import { PROJECT_KINDS, projectHelp, writeProject, type ProjectKind } from '../codegen/project.js';
import { readFileSync } from 'node:fs';
import { formatTopClasses, modelLabels, parseNumberList, readInputFiles, topClasses } from '../api/image.js';
import { createProgress } from './progress.js';
import { moduleStackReport } from '../report/stack.js';
import { getTarget } from '../targets/index.js';
import { registerReportCommand } from './report-command.js';

function quantText(t: TensorSummary): string {
  if (t.scale === undefined) return t.dtype;
  const s = Array.isArray(t.scale) ? `per-channel(${t.scale.length})` : `s=${t.scale.toPrecision(4)}`;
  return `${t.dtype} ${s} z=${t.zeroPoint}`;
}

export function registerCommands(program: Command): void {
  program
    .command('inspect')
    .description('print one row per layer: op, shapes, quantization, MACs, weight and output bytes')
    .argument('<model>', '.tflite file')
    .option('--json', 'print JSON instead of a table')
    .addHelpText('after', '\nExamples:\n  mnetc inspect model.tflite\n  mnetc inspect model.tflite --json | jq .totals')
    .action((model: string, o: { json?: boolean }) => {
      const report = inspectGraph(loadModel(model));
      if (o.json) {
        process.stdout.write(`${JSON.stringify(report, null, 1)}\n`);
        return;
      }
      const rows = report.layers.map((l) => [
        l.index, l.op, l.inputs.map((t) => formatShape(t.shape)).join(' '), formatShape(l.output.shape),
        quantText(l.output), l.macs, l.weightBytes, l.outputBytes,
      ]);
      process.stdout.write(`${formatTable(['#', 'op', 'input', 'output', 'output dtype/quant', 'MACs', 'weights B', 'output B'], rows, [true, false, false, false, false, true, true, true])}\n`);
      const io = (ts: TensorSummary[]) => ts.map((t) => `${t.name} ${formatShape(t.shape)} ${quantText(t)}`).join('; ');
      process.stdout.write(`\ninputs:  ${io(report.inputs)}\noutputs: ${io(report.outputs)}\n`);
      process.stdout.write(`total: ${report.totals.layers} layers, ${formatInt(report.totals.macs)} MACs, ${formatInt(report.totals.weightBytes)} weight bytes\n`);
    });

  program
    .command('run')
    .description('run the model on raw input files or images and write raw output files')
    .argument('<model>', '.tflite file')
    .requiredOption('--input <files>', 'comma-separated input files, one per model input: raw bytes (model dtype and layout) or images (.png/.jpg/.jpeg/.bmp/.gif/.tif)')
    .option('--output <files>', 'comma-separated output files to write, one per model output')
    .addOption(new Option('--engine <engine>', 'which implementation runs the model').choices(engineNames()).default('reference'))
    .option('--dump-tensors <dir>', 'also write every intermediate tensor and a manifest.json to DIR')
    .addOption(new Option('--memory-plan <plan>', 'arena plan of the generated C (default: stream; layer with --dump-tensors, so every tensor exists)').choices(['layer', 'stream']))
    .option('--input-rows', 'native engines: build the module with row input (compile --input-rows); the runner hands the input over row by row and checks the order')
    .option('--mean <values>', 'image inputs: per-channel mean, x = (pixel - mean) / std (default: model metadata, else 127.5)')
    .option('--std <values>', 'image inputs: per-channel std (default: model metadata, else 127.5)')
    .option('--top <k>', 'print the K best classes of output 0 (with labels when known)')
    .option('--labels <file>', 'class names for --top, one per line (default: from the model metadata)')
    .addHelpText('after', '\nExamples:\n  mnetc run model.tflite --input in.bin --output out.bin\n  mnetc run model.tflite --input in.bin --output out.bin --engine host\n  mnetc run model.tflite --input photo.jpg --top 5 --labels labels.txt')
    .action(async (model: string, o: { input: string; output?: string; engine: string; dumpTensors?: string; memoryPlan?: 'layer' | 'stream'; inputRows?: boolean; mean?: string; std?: string; top?: string; labels?: string }) => {
      const graph = loadModel(model);
      const outFiles = splitList(o.output);
      const top = o.top === undefined ? 0 : Number(o.top);
      if (!Number.isInteger(top) || top < 0) fail('MN405', `--top must be a whole number, got ${o.top}`);
      if (!outFiles.length && !top) fail('MN400', 'give --output FILES, --top K or both');
      if (outFiles.length && outFiles.length !== graph.outputs.length) fail('MN400', `the model has ${graph.outputs.length} output tensor(s), ${outFiles.length} file(s) given`);
      const inputs = await readInputFiles(graph, splitList(o.input), { mean: o.mean ? parseNumberList(o.mean, '--mean') : undefined, std: o.std ? parseNumberList(o.std, '--std') : undefined });
      const result = await runEngine(o.engine, graph, inputs, { dumpTensorsDir: o.dumpTensors, modelPath: model, memoryPlan: o.memoryPlan, rowInput: o.inputRows });
      if (outFiles.length) writeOutputs(graph, outFiles, result.outputs);
      if (top) process.stdout.write(formatTopClasses(topClasses(graph, result.outputs, top, modelLabels(graph, { labelsFile: o.labels, modelBytes: new Uint8Array(readFileSync(model)) }))));
    });

  program
    .command('compile')
    .description('generate a self-contained C module (model, weights, kernels, CMake/Make files) into a directory')
    .argument('<model>', '.tflite file')
    .requiredOption('-o, --output <dir>', 'output directory')
    .option('--name <name>', 'C identifier prefix of the module (default: from the file name)')
    .option('--target <target>', 'target the module is tuned for', 'host')
    .addOption(new Option('--memory-plan <plan>', 'arena planning: layer by layer, or row-streamed blocks').choices(['layer', 'stream']).default('stream'))
    .option('--input-rows', 'row input: the generated code asks the caller for the input one row at a time (camera lines), so the input never exists whole in the arena')
    .option('--report <file>', 'write the compile report as JSON to FILE')
    .option('--force', 'overwrite files in the output directory that mnetc did not generate')
    .option('--json', 'print the report as JSON instead of a summary')
    .addOption(new Option('--project <kind>', 'also write a buildable project around the module (self-test main)').choices([...PROJECT_KINDS]))
    .option('--test-input <files>', 'with --project: the input the self-test embeds (default: a seeded random input)')
    .option('--emit-ts', 'also write NAME.ts: typed host-side TypeScript bindings (I/O shapes, dtypes, quantization, labels, run())')
    .option('--labels <file>', 'with --emit-ts: class names, one per line (default: from the model metadata)')
    .option('--stack', 'also build the module for --target with -fstack-usage/-fcallgraph-info and report the worst-case stack of NAME_invoke (stack_bytes)')
    .option('--lean-flash', 'no precomputed requantization heads (streamed layers, small-map depthwise layers): less flash, a few percent more instructions on Arm DSP targets')
    .addHelpText('after', `\nExamples:\n  mnetc compile model.tflite -o out/\n  mnetc compile model.tflite -o out/ --name person --report out/report.json\n  mnetc compile model.tflite -o out/ --target cortex-m4 --stack --report out/report.json\n  mnetc compile model.tflite -o proj/ --project stm32-cmake\n\n${projectHelp()}`)
    .action(async (model: string, o: { output: string; name?: string; target: string; memoryPlan: MemoryPlanMode; inputRows?: boolean; report?: string; force?: boolean; json?: boolean; project?: string; testInput?: string; emitTs?: boolean; labels?: string; stack?: boolean; leanFlash?: boolean }) => {
      const graph = loadModel(model);
      const mod = compileGraph(graph, { name: o.name, modelFile: model, memoryPlan: o.memoryPlan, target: o.target, rowInput: o.inputRows, leanFlash: o.leanFlash });
      let files: string[];
      let nextSteps: string[] = [];
      if (o.project) {
        const testInput = o.testInput ? readInputs(graph, splitList(o.testInput)) : undefined;
        const p = writeProject(mod, o.project as ProjectKind, o.output, { force: o.force, testInput });
        files = p.files;
        nextSteps = p.build;
      } else files = writeModule(mod, o.output, { force: o.force });
      if (o.emitTs) {
        const { writeTypeScript } = await import('../codegen/emit-ts.js'); // ts-morph loads only when asked for
        files.push(writeTypeScript(mod, o.output, { modelFile: model, force: o.force, labels: modelLabels(graph, { labelsFile: o.labels, modelBytes: new Uint8Array(readFileSync(model)) }) }));
      }
      // --stack: the worst-case stack of NAME_invoke, from a build of the module for the target
      const stack = o.stack ? await moduleStackReport(getTarget(mod.report.target), mod) : undefined;
      const report = stack ? { ...mod.report, stack_bytes: stack.invokeBytes, stack_bounded: stack.bounded } : mod.report;
      if (o.report) writeFileSync(o.report, `${JSON.stringify(report, null, 1)}\n`);
      if (o.json) {
        process.stdout.write(`${JSON.stringify(report, null, 1)}\n`);
        return;
      }
      const r = mod.report;
      const rows = r.layers.map((l) => [l.index, l.op, l.kernel ?? '(alias)', formatShape(l.outputShape), l.macs, l.arenaOffset ?? '-', l.outputBytes]);
      process.stdout.write(`${formatTable(['#', 'op', 'kernel', 'output', 'MACs', 'arena offset', 'bytes'], rows, [true, false, false, false, true, true, true])}\n\n`);
      process.stdout.write(`wrote ${files.length} files to ${o.output} (module "${r.name}")\n`);
      process.stdout.write(`arena_bytes:   ${formatInt(r.arena_bytes)} (${formatBytes(r.arena_bytes)}, ${r.memoryPlan} plan${r.row_input ? ', input delivered row by row by the caller' : ''})\n`);
      process.stdout.write(`weights_bytes: ${formatInt(r.weights_bytes)} (${formatBytes(r.weights_bytes)})\n`);
      process.stdout.write(`macs:          ${formatInt(r.macs)}\n`);
      if (stack) process.stdout.write(`stack_bytes:   ${formatInt(stack.invokeBytes)} (worst case of ${r.name}_invoke on ${stack.target}${stack.bounded ? '' : ', NOT a proven bound'})\n`);
      if (nextSteps.length) process.stdout.write(`\nbuild it:\n${nextSteps.map((c) => `  ${c}`).join('\n')}\n`);
    });

  program
    .command('test')
    .description('golden test: seeded random inputs through the reference and an engine, byte for byte')
    .argument('<model>', '.tflite file')
    .addOption(new Option('--engine <engine>', 'engine checked against the reference').choices(engineNames()).default('host'))
    .option('--cases <n>', 'number of seeded random inputs', '3')
    .option('--seed <n>', 'first seed', '1')
    .option('--input <files>', 'also test these input files (comma-separated, one per model input)')
    .option('--input-rows', 'native engines: build with row input (compile --input-rows)')
    .option('--json', 'print results as JSON')
    .addHelpText('after', '\nExamples:\n  mnetc test model.tflite\n  mnetc test model.tflite --engine cortex-m4 --cases 5')
    .action(async (model: string, o: { engine: string; cases: string; seed: string; input?: string; inputRows?: boolean; json?: boolean }) => {
      const graph = loadModel(model);
      const n = Number(o.cases), seed = Number(o.seed);
      if (!Number.isInteger(n) || n < 0 || n > 10000) fail('MN405', `--cases must be a whole number from 0 to 10000, got ${o.cases}`);
      if (!Number.isInteger(seed)) fail('MN405', `--seed must be a whole number, got ${o.seed}`);
      const cases = Array.from({ length: n }, (_, k) => ({
        name: `random seed ${seed + k}`,
        inputs: graph.inputs.map((t, i) => randomInput(graph.tensors[t]!, (seed + k) * 7919 + i)),
      }));
      if (o.input) cases.push({ name: o.input, inputs: readInputs(graph, splitList(o.input)) });
      const bar = createProgress(cases.length, { label: `${o.engine} vs reference`, enabled: !o.json });
      const results = await goldenTest(graph, o.engine, cases, (r) => {
        bar.tick();
        if (o.json) return;
        const diff = r.firstDifference ? ` — first differing layer: op ${r.firstDifference.op} ${r.firstDifference.opName} (tensor ${r.firstDifference.tensor}, ${r.firstDifference.differing}/${r.firstDifference.total} bytes differ)` : '';
        bar.log(`${r.pass ? 'PASS' : 'FAIL'}  ${r.name}${diff}\n`);
      }, { rowInput: o.inputRows }).finally(() => bar.stop());
      const failed = results.filter((r) => !r.pass).length;
      if (o.json) process.stdout.write(`${JSON.stringify({ engine: o.engine, passed: results.length - failed, failed, results }, null, 1)}\n`);
      else process.stdout.write(`${results.length - failed} passed, ${failed} failed (engine ${o.engine} vs reference)\n`);
      if (failed) fail('MN407', `${failed} of ${results.length} cases differ from the reference`);
    });

  program
    .command('plan')
    .description('show the activation memory plan: every tensor and ring in the arena over time')
    .argument('<model>', '.tflite file')
    .addOption(new Option('--memory-plan <plan>', 'arena planning: layer by layer, or row-streamed blocks').choices(['layer', 'stream']).default('stream'))
    .option('--target <target>', 'target the module is tuned for (its kernels can change ring layouts)', 'host')
    .option('--input-rows', 'row input: the generated code asks the caller for the input one row at a time (camera lines), so the input never exists whole in the arena')
    .option('--html <file>', 'also write the plan as an HTML page with a time x address picture')
    .option('--json', 'print the plan as JSON')
    .addHelpText('after', '\nExamples:\n  mnetc plan model.tflite\n  mnetc plan model.tflite --html plan.html')
    .action((model: string, o: { memoryPlan: MemoryPlanMode; target: string; inputRows?: boolean; html?: string; json?: boolean }) => {
      const mod = compileGraph(loadModel(model), { modelFile: model, memoryPlan: o.memoryPlan, target: o.target, rowInput: o.inputRows });
      if (o.html) writeFileSync(o.html, planHtml(mod, model));
      if (o.json) {
        const r = mod.report;
        process.stdout.write(`${JSON.stringify({ arena_bytes: r.arena_bytes, arena_bytes_layer: r.arena_bytes_layer, arena_bytes_stream: r.arena_bytes_stream, regions: r.regions, requests: mod.arena.requests, offsets: Object.fromEntries(mod.arena.plan.offsets) }, null, 1)}\n`);
        return;
      }
      process.stdout.write(`${planText(mod)}\n\nlayer-by-layer plan: ${formatInt(mod.report.arena_bytes_layer)} B; streamed plan: ${formatInt(mod.report.arena_bytes_stream)} B\n`);
      if (o.html) process.stdout.write(`wrote ${o.html}\n`);
    });

  program
    .command('eval')
    .description('classification accuracy of the generated C on a batch of inputs (host or firmware under QEMU)')
    .argument('<model>', '.tflite file')
    .requiredOption('--images <file>', 'raw model inputs back to back')
    .option('--labels <file>', 'one uint8 label per input')
    .option('--expected <file>', 'one uint8 predicted class per input from another engine (e.g. TFLite), to compare with')
    .addOption(new Option('--engine <engine>', 'where the generated C runs').choices(['host', 'cortex-m4', 'cortex-m7', 'cortex-m33', 'cortex-m55', 'riscv32']).default('host'))
    .option('--show <n>', 'print the first N predictions', '10')
    .option('--json', 'print results as JSON')
    .addHelpText('after', '\nExample:\n  mnetc eval examples/digits/digits.tflite --images examples/digits/test_images.bin \\\n    --labels examples/digits/test_labels.bin --expected examples/digits/tflite_predictions.bin --engine cortex-m4')
    .action(async (model: string, o: { images: string; labels?: string; expected?: string; engine: string; show: string; json?: boolean }) => {
      const graph = loadModel(model);
      const read = (f: string) => {
        try {
          return new Uint8Array(readFileSync(f));
        } catch (e) {
          return fail('MN100', `cannot read ${f}: ${(e as Error).message}`);
        }
      };
      const r = await evaluate(graph, read(o.images), { target: o.engine, labels: o.labels ? read(o.labels) : undefined, expected: o.expected ? read(o.expected) : undefined, modelFile: model });
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ ...r, predictions: Array.from(r.predictions) }, null, 1)}\n`);
      } else {
        const show = Math.min(r.images, Number(o.show) || 0);
        if (show) process.stdout.write(`predictions (first ${show}): ${Array.from(r.predictions.subarray(0, show)).join(' ')}\n`);
        if (r.accuracy !== null) process.stdout.write(`accuracy:       ${(100 * r.accuracy).toFixed(2)}% on ${r.images} images (engine ${o.engine})\n`);
        if (r.agreement !== null) process.stdout.write(`agreement:      ${r.images - r.mismatches.length}/${r.images} predictions equal the expected ones${r.mismatches.length ? ` (first differing image ${r.mismatches[0]})` : ''}\n`);
        process.stdout.write(`arena (SRAM):   ${formatInt(r.arenaBytes)} bytes for activations\n`);
        if (r.size) process.stdout.write(`flash:          ${formatInt(r.size.weights)} bytes of weights + ${formatInt(r.size.text - r.size.weights)} bytes of code and constants (whole firmware, size)\n`);
        if (r.instructionsPerInference) process.stdout.write(`instructions:   ${formatInt(r.instructionsPerInference)} per inference (exact count under QEMU, not cycles)\n`);
      }
      if (r.agreement !== null && r.mismatches.length) fail('MN407', `${r.mismatches.length} predictions differ from --expected`);
    });

  program
    .command('bench')
    .description('exact instructions per layer and in total on a target under QEMU, MAC/instruction, arena and flash')
    .argument('<model>', '.tflite file')
    .addOption(new Option('--target <target>', 'target to run on').choices(['cortex-m4', 'cortex-m7', 'cortex-m33', 'cortex-m55', 'riscv32']).default('cortex-m4'))
    .addOption(new Option('--memory-plan <plan>', 'arena planning').choices(['layer', 'stream']).default('stream'))
    .option('--input-rows', 'row input: the generated code asks the caller for the input one row at a time (camera lines), so the input never exists whole in the arena')
    .option('--lean-flash', 'no precomputed requantization heads (see compile)')
    .option('--functions', 'also count instructions per function (whole run, boot included): where the time goes inside the kernels')
    .option('--json', 'print JSON: {"instructions": N, "layers": [...], ...}')
    .addHelpText('after', '\nExample:\n  mnetc bench model.tflite --target cortex-m4\nCounts are exact instructions retired (QEMU TCG plugin), not cycles.')
    .action(async (model: string, o: { target: string; memoryPlan: 'layer' | 'stream'; inputRows?: boolean; functions?: boolean; leanFlash?: boolean; json?: boolean }) => {
      const r = await benchModel(loadModel(model), { target: o.target, memoryPlan: o.memoryPlan, modelFile: model, rowInput: o.inputRows, functions: o.functions, leanFlash: o.leanFlash });
      if (o.json) {
        process.stdout.write(`${JSON.stringify(r, null, 1)}\n`);
        return;
      }
      const rows = r.layers.map((l) => [l.layers.join(','), l.ops.length > 60 ? `${l.ops.slice(0, 59)}…` : l.ops, l.kernel, l.macs, l.instructions, l.macs ? (l.macs / l.instructions).toFixed(2) : '-']);
      process.stdout.write(`${formatTable(['layers', 'op', 'kernel', 'MACs', 'instructions', 'MAC/insn'], rows, [false, false, false, true, true, true])}\n\n`);
      process.stdout.write(`target ${r.target}: ${formatInt(r.instructions)} instructions per inference, ${formatInt(r.macs)} MACs (${(r.macs / r.instructions).toFixed(2)} MAC/instruction)\n`);
      process.stdout.write(`arena ${formatInt(r.arena_bytes)} B; flash: weights ${formatInt(r.flash.weights)} B + code and constants ${formatInt(r.flash.text)} B (whole firmware)\n`);
      process.stdout.write(`stack ${formatInt(r.stack_bytes)} B: worst case of one invoke on ${r.target} (gcc -fstack-usage call graph)${r.stack_bounded ? '' : ', NOT a proven bound'}\n`);
      if (r.functions) {
        const all = r.functions.reduce((a, f) => a + f.instructions, 0);
        const top = r.functions.slice(0, 25).map((f) => [f.name, f.instructions, `${((100 * f.instructions) / all).toFixed(1)}%`]);
        process.stdout.write(`\ninstructions per function (whole run: boot and I/O included, ${formatInt(all)} in all; top 25)\n`);
        process.stdout.write(`${formatTable(['function', 'instructions', 'share'], top, [false, true, true])}\n`);
      }
    });

  registerReportCommand(program);
}
