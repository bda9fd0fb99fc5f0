/**
 * The command line that runs `command` inside network namespace `netns`, or unchanged without one. `ip netns exec`
 * enters the namespace and then execs the command in the same process, so the pid a spawn reports is the
 * program's own: the supervisor's signals and stack.json's pids reach it directly.
 */
export function inNetns(netns: string | undefined, command: string, args: string[]): [string, string[]] {
  return netns ? ['ip', ['netns', 'exec', netns, command, ...args]] : [command, args];
}
