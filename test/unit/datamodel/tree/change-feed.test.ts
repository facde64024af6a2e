/**
 * ChangeFeed listeners: functions (subscribe) and objects with a method (observe), the latter
 * costing no closure per subscriber (issue 14: a fleet's gateways each have a dozen).
 */
import { describe, expect, it } from 'vitest';
import { type Change, ChangeFeed, type ChangeObserver } from '../../../../datamodel/tree/ChangeFeed.js';
import type { ModelNode } from '../../../../datamodel/tree/ModelNode.js';

const change = (path: string): Change => ({ kind: 'created', inst: { node: {} as ModelNode, keys: [] }, path });

class Recorder implements ChangeObserver {
  readonly seen: string[] = [];
  modelChanged(c: Change): void {
    this.seen.push(c.path);
  }
}

describe('ChangeFeed', () => {
  it('tells observers and listeners every change, in order, until they leave', () => {
    const feed = new ChangeFeed();
    const o = new Recorder();
    const heard: string[] = [];
    feed.observe(o);
    const off = feed.subscribe((c) => heard.push(c.path));
    expect(feed.hasListeners).toBe(true);
    feed.emit(change('Device.A.'));
    feed.unobserve(o);
    feed.emit(change('Device.B.'));
    off();
    feed.emit(change('Device.C.'));
    expect(o.seen).toEqual(['Device.A.']);
    expect(heard).toEqual(['Device.A.', 'Device.B.']);
    expect(feed.hasListeners).toBe(false);
  });

  it('goes on past an observer that throws', () => {
    const feed = new ChangeFeed();
    const after = new Recorder();
    feed.observe({
      modelChanged: () => {
        throw new Error('bug');
      },
    });
    feed.observe(after);
    feed.emit(change('Device.A.'));
    expect(after.seen).toEqual(['Device.A.']);
  });
});
