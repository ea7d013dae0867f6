/** The Docker Engine the global setup started (or found), in the shape the devenv docker CLI helpers take. */
export const testEngine = () => ({ dockerHost: String(process.env.DOCKER_HOST), dockerCli: String(process.env.DOCKER_CLI ?? '/usr/bin/docker') });
