/** An answer of the deployer other than success; `status` 0 when there was no HTTP answer. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }

  /** Worth asking again: the service or a dependency of it is briefly unavailable. */
  get transient(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}
