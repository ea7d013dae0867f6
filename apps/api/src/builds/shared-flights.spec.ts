import { SharedFlights } from './shared-flights.js';

/** A flight that lands when told to. */
function gate<T>() {
  let land!: (value: T) => void;
  let crash!: (error: Error) => void;
  const promise = new Promise<T>((resolve, reject) => {
    land = resolve;
    crash = reject;
  });
  return { promise, land, crash };
}

describe('SharedFlights', () => {
  it('flies once for the requests with one key in flight, and each gets the answer', async () => {
    const flights = new SharedFlights<string>();
    const answer = gate<string>();
    let flown = 0;
    const fly = () => {
      flown += 1;
      return answer.promise;
    };
    const all = Promise.all([flights.run('a', fly), flights.run('a', fly), flights.run('a', fly)]);
    answer.land('built');
    expect(await all).toEqual([
      { value: 'built', joined: false },
      { value: 'built', joined: true },
      { value: 'built', joined: true },
    ]);
    expect(flown).toBe(1);
  });

  it('keeps keys apart', async () => {
    const flights = new SharedFlights<string>();
    const answers = await Promise.all([flights.run('a', async () => 'for a'), flights.run('b', async () => 'for b')]);
    expect(answers.map((a) => a.value)).toEqual(['for a', 'for b']);
    expect(answers.map((a) => a.joined)).toEqual([false, false]);
  });

  it('flies anew once a flight has landed, and holds no key after', async () => {
    const flights = new SharedFlights<number>();
    let flown = 0;
    const fly = async () => ++flown;
    expect((await flights.run('a', fly)).value).toBe(1);
    expect((await flights.run('a', fly)).value).toBe(2);
    expect(flights.size).toBe(0);
  });

  it("fails only the leader with its failure: each joiner flies for itself", async () => {
    const flights = new SharedFlights<string>();
    const first = gate<string>();
    const leader = flights.run('a', () => first.promise);
    let own = 0;
    const joiners = [1, 2].map(() =>
      flights.run('a', async () => {
        own += 1;
        return `own ${own}`;
      }),
    );
    first.crash(new Error('store gone'));
    await expect(leader).rejects.toThrow('store gone');
    const landed = await Promise.all(joiners);
    expect(landed.map((l) => l.joined)).toEqual([false, false]);
    expect(landed.map((l) => l.value).sort()).toEqual(['own 1', 'own 2']);
    expect(flights.size).toBe(0);
  });

  it('passes on a joiner’s own failure after the leader failed', async () => {
    const flights = new SharedFlights<string>();
    const first = gate<string>();
    const leader = flights.run('a', () => first.promise);
    const joiner = flights.run('a', () => Promise.reject(new Error('limited')));
    first.crash(new Error('store gone'));
    await expect(leader).rejects.toThrow('store gone');
    await expect(joiner).rejects.toThrow('limited');
  });
});
