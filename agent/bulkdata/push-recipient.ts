/**
 * Who gets Device.BulkData.Profile.{i}.Push! (TR-181 Profile.{i}.Controller): only the Controller
 * that created the Profile, "even if another USP Controller has an associated Subscription". A
 * Profile with no Controller (made by the factory-defaults file) goes to every subscriber. The
 * same holds for Device.PeriodicStatistics.SampleSet.{i}.Push! (SampleSet.{i}.Controller).
 */
import type { DataModel } from '../../datamodel/tree/DataModel.js';

const PROFILE_PATH = /^(Device\.BulkData\.Profile|Device\.PeriodicStatistics\.SampleSet)\.(\d+)\.$/;

/** For the subscription engine, per recipient: whether `recipientEid` may receive the Push! of the Profile at `profilePath`. */
export async function recipientGetsPush(model: DataModel, profilePath: string, recipientEid: string): Promise<boolean> {
  const m = PROFILE_PATH.exec(profilePath);
  if (!m) return true;
  const profile = model.requireNode(`${m[1]}.{i}.`);
  const owner = String((await model.readValues({ node: profile, keys: [Number(m[2])] }, {})).Controller ?? '');
  if (owner === '') return true;
  const c = /^Device\.LocalAgent\.Controller\.(\d+)\.?$/.exec(owner);
  if (!c) return false;
  const ctrl = model.requireNode('Device.LocalAgent.Controller.{i}.');
  if (!(await model.exists({ node: ctrl, keys: [Number(c[1])] }, {}))) return false;
  return (await model.readValues({ node: ctrl, keys: [Number(c[1])] }, {})).EndpointID === recipientEid;
}
