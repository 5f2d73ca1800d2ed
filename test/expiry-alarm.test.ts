import assert from 'node:assert/strict';
import { type Clock, FakeClock, type Timer } from '../src/clock.js';
import { ExpiryAlarm } from '../src/expiry-alarm.js';

interface Item {
  readonly name: string;
  live: boolean;
}

/** An alarm on a fake clock whose firing takes every due live item, records it and re-arms. */
function setUp() {
  const fake = new FakeClock();
  let armed = 0;
  // Counts the timers armed, to tell a re-arm from keeping the timer.
  const clock: Clock = {
    now: () => fake.now(),
    setTimer(callback, delayMs): Timer {
      armed += 1;
      return fake.setTimer(callback, delayMs);
    },
  };
  const fired: string[] = [];
  const atDuringFire: number[] = [];
  const alarm: ExpiryAlarm<Item> = new ExpiryAlarm<Item>(
    clock,
    (_at, item) => item.live,
    () => {
      atDuringFire.push(alarm.at);
      const now = fake.now();
      for (let slot = alarm.popDue(now); slot !== undefined; slot = alarm.popDue(now))
        if (slot.item.live) fired.push(`${slot.item.name}@${now}`);
      alarm.rearm();
    },
  );
  const add = (name: string, at: number, live = true): Item => {
    const item = { name, live };
    alarm.push(at, item);
    return item;
  };
  return { fake, alarm, fired, atDuringFire, add, armed: () => armed };
}

describe('ExpiryAlarm', () => {
  it('fires at the soonest live entry, disarmed while it fires', () => {
    const { fake, alarm, fired, atDuringFire, add } = setUp();
    add('c', 30);
    add('a', 10);
    add('b', 20);
    alarm.rearm();
    assert.equal(alarm.at, 10);
    fake.advance(9);
    assert.deepEqual(fired, []);
    fake.advance(1);
    assert.deepEqual(fired, ['a@10']);
    assert.deepEqual(atDuringFire, [Number.POSITIVE_INFINITY]);
    assert.equal(alarm.at, 20);
    fake.advance(20);
    assert.deepEqual(fired, ['a@10', 'b@20', 'c@30']);
    assert.equal(alarm.at, Number.POSITIVE_INFINITY);
    assert.equal(fake.pending, 0);
  });

  it('skips stale entries: dropped from the top, passed over when due', () => {
    const { fake, alarm, fired, add } = setUp();
    add('stale', 5, false);
    const gone = add('gone', 8);
    add('live', 12);
    alarm.rearm();
    assert.equal(alarm.at, 8);
    assert.equal(alarm.length, 2);
    // Goes stale once armed for, as a refreshed record or a rescheduled question does.
    gone.live = false;
    fake.advance(20);
    assert.deepEqual(fired, ['live@12']);
    assert.equal(alarm.length, 0);
  });

  it('re-arms only when the soonest live time changes', () => {
    const { fake, alarm, add, armed } = setUp();
    add('a', 10);
    alarm.rearm();
    assert.equal(armed(), 1);
    add('b', 20);
    alarm.rearm();
    add('c', 10);
    alarm.rearm();
    assert.equal(armed(), 1);
    add('d', 5);
    alarm.rearm();
    assert.equal(armed(), 2);
    assert.equal(alarm.at, 5);
    // The earlier timer was cancelled: one Node timer at a time.
    assert.equal(fake.pending, 1);
  });

  it('disarms when no live entry is left', () => {
    const { fake, alarm, add, armed } = setUp();
    const a = add('a', 10);
    alarm.rearm();
    a.live = false;
    alarm.rearm();
    assert.equal(alarm.at, Number.POSITIVE_INFINITY);
    assert.equal(fake.pending, 0);
    alarm.rearm();
    assert.equal(armed(), 1);
  });

  it('cancel forgets every entry and disarms; clear leaves the timer to the next rearm', () => {
    const { fake, alarm, fired, add } = setUp();
    add('a', 10);
    alarm.rearm();
    alarm.clear();
    assert.equal(alarm.length, 0);
    assert.equal(alarm.at, 10);
    assert.equal(fake.pending, 1);
    add('b', 10);
    alarm.rearm();
    assert.equal(fake.pending, 1);
    alarm.cancel();
    assert.equal(alarm.length, 0);
    assert.equal(alarm.at, Number.POSITIVE_INFINITY);
    assert.equal(fake.pending, 0);
    fake.advance(100);
    assert.deepEqual(fired, []);
  });

  it('sweeps stale slots once they pass twice the live count plus 64', () => {
    const { alarm, add } = setUp();
    for (let i = 0; i < 66; i++) add(`stale${i}`, 100 + i, false);
    add('a', 1);
    add('b', 2);
    alarm.sweep(2);
    assert.equal(alarm.length, 68);
    add('stale66', 200, false);
    alarm.sweep(2);
    assert.equal(alarm.length, 2);
  });

  it('pops due slots, stale ones too, in time order up to the given time', () => {
    const { alarm, add } = setUp();
    add('b', 20);
    add('a', 10, false);
    add('c', 30);
    assert.deepEqual(alarm.popDue(20), { at: 10, item: { name: 'a', live: false } });
    assert.equal(alarm.popDue(20)?.item.name, 'b');
    assert.equal(alarm.popDue(20), undefined);
    assert.equal(alarm.length, 1);
  });
});
