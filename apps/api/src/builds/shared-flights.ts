/** What a flight answered, and whether the caller joined one already in flight rather than flying it. */
export interface Landed<T> {
  value: T;
  joined: boolean;
}

/**
 * Lets identical requests in flight in this process share one trip to the
 * store: the first with a key flies, those arriving before it lands take its
 * answer. A flight that fails is nobody's answer but its own: each joiner then
 * flies for itself, so one request's failure never fails another. Keys are
 * held only while in flight, so the map is as large as the requests in flight.
 */
export class SharedFlights<T> {
  private readonly flying = new Map<string, Promise<T>>();

  async run(key: string, fly: () => Promise<T>): Promise<Landed<T>> {
    const leader = this.flying.get(key);
    if (leader) {
      try {
        return { value: await leader, joined: true };
      } catch {
        return { value: await fly(), joined: false };
      }
    }
    const flight = fly();
    this.flying.set(key, flight);
    try {
      return { value: await flight, joined: false };
    } finally {
      if (this.flying.get(key) === flight) this.flying.delete(key);
    }
  }

  /** How many keys are in flight now. */
  get size(): number {
    return this.flying.size;
  }
}
