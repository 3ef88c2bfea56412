import { DOCKER_FLAVORS, startDockerSandbox, type DockerFlavor } from './docker.js';
import { SANDBOX_FLAVORS, type SandboxFlavor } from './install.js';
import { startSandbox, type Sandbox } from './sandbox.js';

export type AnyFlavor = SandboxFlavor | DockerFlavor;
/** Local flavors first (they need no Docker), then the Docker-only ones. */
export const ALL_FLAVORS: readonly AnyFlavor[] = [...SANDBOX_FLAVORS, ...DOCKER_FLAVORS];

export function isDockerFlavor(f: AnyFlavor): f is DockerFlavor {
  return (DOCKER_FLAVORS as readonly string[]).includes(f);
}

/** Starts a pair of the given flavor: local processes for mysql/mariadb, containers for mysql-8.x. */
export function startAnySandbox(flavor: AnyFlavor, onProgress?: (m: string) => void): Promise<Sandbox> {
  if (isDockerFlavor(flavor)) return startDockerSandbox(flavor, onProgress);
  return startSandbox({ flavor, ...(onProgress ? { onProgress } : {}) });
}
