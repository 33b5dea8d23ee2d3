/** `mnetc report MODEL -o report.html`: the model, its layers and its arena plan as one self-contained page. */
import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { loadModel } from '../api/model.js';
import { compileGraph, type MemoryPlanMode } from '../codegen/index.js';
import { fail } from '../diagnostics.js';
import { reportHtml } from '../report/report.js';
import { formatInt } from './format.js';

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('write one self-contained HTML page: summary, layer table, MACs and weights per layer, the arena over time')
    .argument('<model>', '.tflite file')
    .requiredOption('-o, --output <file>', 'HTML file to write')
    .addOption(new Option('--memory-plan <plan>', 'arena plan shown in the memory map (both plans are summarised)').choices(['layer', 'stream']).default('stream'))
    .option('--target <target>', 'target whose kernels are named in the layer table', 'host')
    .addHelpText('after', '\nExamples:\n  mnetc report model.tflite -o report.html\n  mnetc report model.tflite -o report.html --memory-plan layer')
    .action((model: string, o: { output: string; memoryPlan: MemoryPlanMode; target: string }) => {
      const graph = loadModel(model);
      const mod = compileGraph(graph, { modelFile: model, memoryPlan: o.memoryPlan, target: o.target });
      try {
        writeFileSync(o.output, reportHtml(graph, mod, { modelFile: model }));
      } catch (e) {
        fail('MN402', `cannot write ${o.output}: ${(e as Error).message}`);
      }
      const r = mod.report;
      process.stdout.write(`wrote ${o.output} (${r.layers.length} layers, ${formatInt(r.macs)} MACs, arena ${formatInt(r.arena_bytes)} B with the ${r.memoryPlan} plan)\n`);
    });
}
