/**
 * Every service call the activities and the benchmark's plain runner make, found in their source with the
 * TypeScript compiler: `callService(…)` with a literal service, request objects (`{ service, method, path }` or
 * `...routeOf(service, ROUTE)`), `poster(deps, service)` senders and the Gateway calls of `callGateway(…)`.
 * A path given as a variable is followed to its value: a constant, a function's answer, or the arguments a
 * function's callers pass for that parameter. `${…}` parts of a path become `{p}`.
 */
import path from 'node:path';
import ts from 'typescript';
import { SERVICE_NAMES, type ServiceName } from '../../src/services/catalog';
import { SERVICE_CONTRACTS } from '../../src/contracts';
import type { HttpMethod } from '../../src/contracts/route';
import { PROJECT_ROOT } from '../../src/config';

export interface FoundCall {
  service: ServiceName;
  method: HttpMethod;
  /** The path with each `${…}` as `{p}`. */
  path: string;
  /** file:line of the call. */
  at: string;
}

/** A path the collector could not follow to a value: the test lists these so a new pattern is noticed. */
export interface Unresolved {
  at: string;
  why: string;
}

const ROOTS = ['src/activities/index.ts', 'src/bench/plain-creative.ts'];

class Collector {
  readonly calls: FoundCall[] = [];
  readonly unresolved: Unresolved[] = [];
  private readonly checker: ts.TypeChecker;
  private readonly files: ts.SourceFile[];
  private readonly callsBySymbol = new Map<ts.Symbol, ts.CallExpression[]>();

  constructor(program: ts.Program) {
    this.checker = program.getTypeChecker();
    const src = path.join(PROJECT_ROOT, 'src') + path.sep;
    this.files = program.getSourceFiles().filter((f) => path.resolve(f.fileName).startsWith(src));
    for (const file of this.files) this.visit(file, (node) => this.indexCall(node));
  }

  collect(): void {
    const scanned = this.files.filter((f) => /[/\\]src[/\\](activities|bench)[/\\]/.test(f.fileName));
    for (const file of scanned) this.visit(file, (node) => this.inspect(node));
  }

  private visit(node: ts.Node, fn: (node: ts.Node) => void): void {
    fn(node);
    ts.forEachChild(node, (child) => this.visit(child, fn));
  }

  private at(node: ts.Node): string {
    const file = node.getSourceFile();
    const { line } = file.getLineAndCharacterOfPosition(node.getStart());
    return `${path.relative(PROJECT_ROOT, file.fileName)}:${line + 1}`;
  }

  private symbolOf(node: ts.Node): ts.Symbol | undefined {
    const symbol = this.checker.getSymbolAtLocation(node);
    return symbol && symbol.flags & ts.SymbolFlags.Alias ? this.checker.getAliasedSymbol(symbol) : symbol;
  }

  private indexCall(node: ts.Node): void {
    if (!ts.isCallExpression(node)) return;
    const symbol = this.symbolOf(node.expression);
    if (symbol) this.callsBySymbol.set(symbol, [...(this.callsBySymbol.get(symbol) ?? []), node]);
  }

  private calleeName(call: ts.CallExpression): string | undefined {
    return this.symbolOf(call.expression)?.getName();
  }

  private inspect(node: ts.Node): void {
    if (ts.isCallExpression(node)) this.inspectCall(node);
    if (ts.isObjectLiteralExpression(node)) this.inspectObject(node);
  }

  private inspectCall(call: ts.CallExpression): void {
    const name = this.calleeName(call);
    if (name === 'callService') {
      const [, service, , method, target] = call.arguments;
      // The generic senders pass a request's service on: their callers' requests are found as objects.
      if (!ts.isStringLiteral(service)) return;
      this.add(service.text, literal(method), target, call);
      return;
    }
    const senderService = this.posterService(call);
    if (senderService) this.add(senderService, 'POST', call.arguments[1], call);
  }

  /** For `ml(ctx, path, body)` where `const ml = poster(deps, 'ml-service')`: the service. */
  private posterService(call: ts.CallExpression): string | undefined {
    const decl = this.symbolOf(call.expression)?.valueDeclaration;
    if (!decl || !ts.isVariableDeclaration(decl) || !decl.initializer || !ts.isCallExpression(decl.initializer)) {
      return undefined;
    }
    const init = decl.initializer;
    if (this.calleeName(init) !== 'poster') return undefined;
    const service = init.arguments[1];
    return service && ts.isStringLiteral(service) ? service.text : undefined;
  }

  private inspectObject(object: ts.ObjectLiteralExpression): void {
    const prop = (name: string) =>
      object.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText() === name)
        ?.initializer;
    const routed = object.properties.find(
      (p): p is ts.SpreadAssignment =>
        ts.isSpreadAssignment(p) && ts.isCallExpression(p.expression) && this.calleeName(p.expression) === 'routeOf',
    );
    if (routed) return this.addRouted(routed.expression as ts.CallExpression);
    const method = prop('method');
    const target = prop('path');
    if (!method || !target) return;
    // `{ service, method, path }` passed on from parameters: the generic senders, whose callers are found.
    if (object.properties.some((p) => ts.isShorthandPropertyAssignment(p) && p.name.text === 'service')) return;
    const service = prop('service');
    if (service && ts.isStringLiteral(service)) return this.add(service.text, literal(method), target, object);
    // A Gateway call: the object is `callGateway`'s third argument.
    const parent = object.parent;
    if (ts.isCallExpression(parent) && this.calleeName(parent) === 'callGateway') {
      return this.add('gateway', literal(method), target, object);
    }
    this.unresolved.push({ at: this.at(object), why: 'a { method, path } object without a literal service' });
  }

  /** `...routeOf('drive-intel', DRIVE_INTEL_ROUTES.upload, …)`: the contract route it names. */
  private addRouted(call: ts.CallExpression): void {
    const [service, contract] = call.arguments;
    if (!ts.isStringLiteral(service) || !ts.isPropertyAccessExpression(contract)) {
      this.unresolved.push({ at: this.at(call), why: 'routeOf without a literal service and ROUTES.name' });
      return;
    }
    const table = SERVICE_CONTRACTS[service.text as ServiceName];
    const route = table?.[contract.name.text];
    if (!route) {
      this.unresolved.push({ at: this.at(call), why: `no route ${contract.getText()} in ${service.text}'s contract` });
      return;
    }
    this.calls.push({
      service: service.text as ServiceName,
      method: route.method,
      path: route.path.replace(/:[^/]+/g, '{p}').replace(/\*$/, '{p}'),
      at: this.at(call),
    });
  }

  private add(service: string, method: string | undefined, target: ts.Expression | undefined, node: ts.Node) {
    if (!SERVICE_NAMES.includes(service as ServiceName) || !method || !target) {
      this.unresolved.push({ at: this.at(node), why: `service '${service}', method ${method ?? '?'}` });
      return;
    }
    for (const p of this.paths(target, new Set())) {
      if (typeof p === 'string')
        this.calls.push({ service: service as ServiceName, method: method as HttpMethod, path: p, at: this.at(node) });
      else this.unresolved.push(p);
    }
  }

  /** The values a path expression can take. */
  private paths(expr: ts.Expression, seen: Set<ts.Node>): Array<string | Unresolved> {
    if (seen.has(expr)) return [];
    seen.add(expr);
    if (ts.isStringLiteral(expr) || ts.isNoSubstitutionTemplateLiteral(expr)) return [expr.text];
    if (ts.isTemplateExpression(expr))
      return [expr.head.text + expr.templateSpans.map((s) => `{p}${s.literal.text}`).join('')];
    if (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr)) return this.paths(expr.expression, seen);
    if (ts.isIdentifier(expr)) return this.identifierPaths(expr, seen);
    if (ts.isCallExpression(expr)) {
      const body = functionBody(this.symbolOf(expr.expression)?.valueDeclaration);
      if (body) return this.paths(body, seen);
    }
    return [{ at: this.at(expr), why: `cannot follow the path ${expr.getText()}` }];
  }

  private identifierPaths(id: ts.Identifier, seen: Set<ts.Node>): Array<string | Unresolved> {
    const decl = this.symbolOf(id)?.valueDeclaration;
    if (decl && ts.isVariableDeclaration(decl) && decl.initializer) return this.paths(decl.initializer, seen);
    if (decl && ts.isParameter(decl) && ts.isIdentifier(decl.name)) {
      const fn = decl.parent;
      const index = fn.parameters.indexOf(decl);
      const symbol = functionSymbol(fn, this.checker);
      const callers = symbol ? (this.callsBySymbol.get(symbol) ?? []) : [];
      if (callers.length)
        return callers.flatMap((call) => (call.arguments[index] ? this.paths(call.arguments[index], seen) : []));
    }
    return [{ at: this.at(id), why: `cannot follow ${id.text} to a value` }];
  }
}

const literal = (expr: ts.Expression | undefined) => (expr && ts.isStringLiteral(expr) ? expr.text : undefined);

/** The single expression a function answers (an arrow's expression body), if it is one. */
function functionBody(decl: ts.Declaration | undefined): ts.Expression | undefined {
  const fn = decl && ts.isVariableDeclaration(decl) ? decl.initializer : decl;
  return fn && ts.isArrowFunction(fn) && !ts.isBlock(fn.body) ? fn.body : undefined;
}

/** The symbol callers use for a function: its declaration's name, or the variable an arrow is assigned to. */
function functionSymbol(fn: ts.SignatureDeclaration, checker: ts.TypeChecker): ts.Symbol | undefined {
  if (ts.isFunctionDeclaration(fn) && fn.name) return checker.getSymbolAtLocation(fn.name);
  if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && ts.isVariableDeclaration(fn.parent)) {
    return checker.getSymbolAtLocation(fn.parent.name);
  }
  return undefined;
}

/** The calls the activities and the plain runner make, and the paths that could not be followed. */
export function findActivityCalls(): { calls: FoundCall[]; unresolved: Unresolved[] } {
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(PROJECT_ROOT, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: () => undefined,
    },
  );
  const program = ts.createProgram(
    ROOTS.map((r) => path.join(PROJECT_ROOT, r)),
    { ...config!.options, noEmit: true, types: [] },
  );
  const collector = new Collector(program);
  collector.collect();
  return { calls: collector.calls, unresolved: collector.unresolved };
}
