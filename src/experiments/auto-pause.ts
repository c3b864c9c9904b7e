/**
 * Auto-pause, the rule: a variant is paused when, after at least `minVotes` votes, even the upper end of
 * the Wilson 95% interval of its helpful rate is below `minHelpfulRate` — i.e. we are 95% confident it is
 * worse than the floor, not merely unlucky so far.
 */
import { wilsonInterval } from "../analytics/stats/wilson";

export interface PauseVerdict {
  pause: boolean;
  helpful: number;
  votes: number;
  helpfulRate: number | null;
  upperBound: number;
  minVotes: number;
  minHelpfulRate: number;
}

/** Whether `helpful` of `votes` warrants a pause under the policy's `autoPause` settings. */
export function judgeVariant(helpful: number, votes: number, settings: { minVotes: number; minHelpfulRate: number }): PauseVerdict {
  const upperBound = wilsonInterval(helpful, votes)[1];
  return {
    pause: votes >= settings.minVotes && upperBound < settings.minHelpfulRate,
    helpful,
    votes,
    helpfulRate: votes ? helpful / votes : null,
    upperBound: Number(upperBound.toFixed(4)),
    minVotes: settings.minVotes,
    minHelpfulRate: settings.minHelpfulRate,
  };
}
