// The podman command line (and the other tools the image builds run), as the deploy tests drive
// it: every call has a time limit, and a failure carries the tool's own message and the command.
import { spawn } from 'node:child_process';

export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface CommandOptions {
  /** Killed (SIGKILL) after this long; the error says so. */
  timeoutMs?: number;
  /** Working directory of the command. */
  cwd?: string;
  /** Called with every line podman prints, for progress of long builds. */
  onLine?: (line: string) => void;
}

/** Runs a command and resolves with its output whatever the exit code (rejects only on a time-out). */
export function commandResult(
  command: string,
  args: readonly string[],
  options: CommandOptions = {},
): Promise<CommandResult> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: options.cwd });
    let stdout = '';
    let stderr = '';
    let partial = '';
    const forward = (text: string) => {
      if (!options.onLine) return;
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) options.onLine(line);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      forward(chunk.toString());
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      forward(chunk.toString());
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${command} (${error.message}): install it with \`npm run setup\` as root`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') {
        reject(new Error(`${command} ${args.join(' ')} took longer than ${timeoutMs} ms\n${tail(stderr || stdout)}`));
        return;
      }
      resolve({ stdout, stderr, exitCode: code ?? -1 });
    });
  });
}

/** Runs a command and returns its standard output; a non-zero exit becomes an error with its message. */
export async function runCommand(
  command: string,
  args: readonly string[],
  options: CommandOptions = {},
): Promise<string> {
  const result = await commandResult(command, args, options);
  if (result.exitCode !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited with ${result.exitCode}\n${tail(result.stderr || result.stdout)}`,
    );
  }
  return result.stdout;
}

/** Runs podman and resolves with its output whatever the exit code (rejects only on a time-out). */
export const podmanResult = (args: readonly string[], options?: CommandOptions) =>
  commandResult('podman', args, options);

/** Runs podman and returns its standard output; a non-zero exit becomes an error with its message. */
export const podman = (args: readonly string[], options?: CommandOptions) => runCommand('podman', args, options);

/**
 * How every image here is built: never pulling (the base images are local), with the host's
 * network (apt in a build reaches Debian's mirror as the host does), and in Docker's format, since
 * podman's default OCI format drops a HEALTHCHECK.
 */
export const localBuildArgs = ['build', '--pull=never', '--network', 'host', '--format', 'docker'];

/** Whether podman can run containers here at all, with the reason when it cannot. */
export async function podmanProblem(): Promise<string | null> {
  try {
    const info = await podmanResult(['info', '--format', '{{.Host.OCIRuntime.Name}}']);
    if (info.exitCode !== 0) return `podman info failed: ${tail(info.stderr)}`;
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The last lines of a long output, enough to see why a command failed. */
export function tail(text: string, lines = 40): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
