import { XMLBuilder } from 'fast-xml-parser';
import os from 'node:os';
import { failedFlowsNote } from './exemplar-lines';
import { formatResult } from './result-text';
import type { CheckOutcome, FlowReport } from './flow-report';

/** JUnit's timestamp: ISO 8601 without a zone (the schema's pattern), in UTC. */
const timestamp = (d: Date) => d.toISOString().slice(0, 19);
const seconds = (n: number) => n.toFixed(3);

/** A check's case; a failure's message also names the run's failed flows, to open in the Web UI. */
function checkCase(flow: string, c: CheckOutcome, failedFlows: string) {
  const message = failedFlows ? `${c.detail}; ${failedFlows}` : c.detail;
  return {
    '@_name': `${c.kind} ${c.name}`,
    '@_classname': `geminivideo-sim.${flow}`,
    '@_time': seconds(0),
    ...(c.passed ? {} : { failure: { '@_message': message, '@_type': c.kind, '#text': message } }),
  };
}

/** The flow's own case: an error when its stress run failed, its printed result as output otherwise. */
function flowCase(f: FlowReport) {
  const base = {
    '@_name': `${f.flow} run`,
    '@_classname': `geminivideo-sim.${f.flow}`,
    '@_time': seconds(f.result?.total_duration_seconds ?? 0),
  };
  if (!f.result) {
    const message = f.error ?? 'the run produced no result';
    return { ...base, error: { '@_message': message, '@_type': 'run_failed', '#text': message } };
  }
  return { ...base, 'system-out': formatResult(f.result) };
}

/**
 * The runs as JUnit XML, as CI systems display it: one testsuite per flow, holding one test case for the flow's
 * run and one per threshold and regression limit; a failure carries the measured value against the limit.
 */
export function junitXml(flows: FlowReport[], now = new Date(), hostname = os.hostname()): string {
  const suites = flows.map((f, id) => {
    const failedFlows = failedFlowsNote(f.result);
    const cases = [flowCase(f), ...f.checks.map((c) => checkCase(f.flow, c, failedFlows))];
    const duration = f.result?.total_duration_seconds ?? 0;
    return {
      '@_name': f.flow,
      '@_id': String(id),
      '@_package': 'geminivideo-sim',
      '@_hostname': hostname,
      '@_timestamp': timestamp(new Date(now.getTime() - duration * 1000)),
      '@_tests': String(cases.length),
      '@_failures': String(f.checks.filter((c) => !c.passed).length),
      '@_errors': String(f.result ? 0 : 1),
      '@_skipped': '0',
      '@_time': seconds(duration),
      properties: {
        property: [
          { '@_name': 'run_id', '@_value': f.run_id },
          ...Object.entries(f.result?.params ?? {}).map(([name, value]) => ({
            '@_name': name,
            '@_value': String(value),
          })),
        ],
      },
      testcase: cases,
      'system-out': '',
      'system-err': f.error ?? '',
    };
  });
  const total = (key: '@_tests' | '@_failures' | '@_errors') => String(suites.reduce((n, s) => n + Number(s[key]), 0));
  const doc = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    testsuites: {
      '@_name': 'geminivideo-sim',
      '@_tests': total('@_tests'),
      '@_failures': total('@_failures'),
      '@_errors': total('@_errors'),
      '@_time': seconds(suites.reduce((n, s) => n + Number(s['@_time']), 0)),
      testsuite: suites,
    },
  };
  return new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true }).build(doc) as string;
}
