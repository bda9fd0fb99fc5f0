/**
 * A workflow history to and from Temporal's JSON history format (what `temporal workflow show --output json` and
 * the Web UI export write). The SDK's own historyToJSON/historyFromJSON fail here with "type must be a Type":
 * grpc's proto-loader keeps protobufjs 7 at the top of node_modules, so @temporalio/common and @temporalio/proto
 * each get their own copy of protobufjs 8, and common's JSON codec refuses proto's types. This uses the codec of
 * the copy @temporalio/proto itself loads, which works whichever way npm lays the packages out.
 */
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';
import path from 'node:path';

export type History = proto.temporal.api.history.v1.IHistory;

interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
}

const protoDir = path.dirname(require.resolve('@temporalio/proto/package.json'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const codec = require(require.resolve('protobufjs/ext/protojson', { paths: [protoDir] })) as ProtoJson;
const historyType = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType(
  'temporal.api.history.v1.History',
);

/** The history as Temporal's JSON (a plain object, ready for JSON.stringify). */
export function historyToJson(history: History): unknown {
  return codec.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history));
}

/** The history from Temporal's JSON, as the replayer takes it; fields a newer server adds are ignored. */
export function historyFromJson(json: unknown): History {
  return codec.fromJson(historyType, json, { ignoreUnknownFields: true }) as History;
}
