/**
 * The analyst views: <studio-analytics> (#/analytics), <studio-experiments> (#/experiments) and
 * <studio-learner> (#/learners, #/learners/:learnerId), with their parts (<analytics-table>,
 * <analytics-chart>). The shell's entry imports this module; each element is defined once.
 */
import { AnalyticsTable } from "./sortable-table";
import { AnalyticsChart } from "./rate-chart";
import { StudioAnalytics } from "./analytics-view";
import { StudioExperiments } from "./experiments-view";
import { StudioLearner } from "./learner-view";
import { adoptAnalyticsStyles } from "./styles";

const ELEMENTS: Array<[string, CustomElementConstructor]> = [
  ["analytics-table", AnalyticsTable],
  ["analytics-chart", AnalyticsChart],
  ["studio-analytics", StudioAnalytics],
  ["studio-experiments", StudioExperiments],
  ["studio-learner", StudioLearner],
];

adoptAnalyticsStyles();
for (const [tag, element] of ELEMENTS) if (!customElements.get(tag)) customElements.define(tag, element);

export { StudioAnalytics, StudioExperiments, StudioLearner };
