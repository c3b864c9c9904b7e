import { buildSampleContext } from "../../../src/templates/render-context";
import { findUnknownVariables } from "../../../src/templates/unknown-variables";

const sample = buildSampleContext();
const variables = (source: string, context: unknown = sample) => findUnknownVariables(source, context).map((item) => item.variable);

describe("unknown variables in previews", () => {
  it("when a template reads a field the context lacks, then it is reported with its position", () => {
    expect(findUnknownVariables("Hi\n  {{learner.nickname}}", sample)).toEqual([{ variable: "learner.nickname", line: 2, column: 5 }]);
  });

  it("when a typo hides inside a helper call or subexpression, then it is still reported, once", () => {
    expect(variables('{{default learner.nickname "there"}} {{#if (eq learner.nickname "x")}}{{/if}}')).toEqual(["learner.nickname"]);
  });

  it("when a value is present but null, then paths through it are not reported", () => {
    expect(variables("{{#if goal}}{{goal.text}}{{/if}}", { ...sample, goal: null })).toEqual([]);
  });

  it("when paths are read inside with and each blocks, then they resolve against the block's context", () => {
    const source = "{{#with learner}}{{firstName}}{{nick}}{{../course.id}}{{@root.module.nope}}{{/with}}{{#each insights as |insight key|}}{{insight.value}}{{insight.valeu}}{{key}}{{@index}}{{/each}}";
    expect(variables(source)).toEqual(["nick", "@root.module.nope", "insight.valeu"]);
  });

  it("when each iterates an empty list, then paths inside cannot be checked and are not reported", () => {
    expect(variables("{{#each learner.attributes.tags}}{{whatever}}{{/each}}", { learner: { attributes: { tags: [] } } })).toEqual([]);
  });

  it("when every built-in path exists in the sample context, then nothing is reported", () => {
    expect(variables("{{learner.id}}{{course.id}}{{module.id}}{{event.type}}{{event.properties.score}}{{message.id}}{{insights.recommendedNextModule.score}}")).toEqual([]);
  });

  it("when only the learner's name is given, then firstName counts as known, as rendering derives it", () => {
    expect(variables("{{learner.firstName}}", { learner: { name: "Ada Lovelace" } })).toEqual([]);
  });

  it("when the source does not parse, then there are no warnings (validation reports it)", () => {
    expect(variables("{{#if x}")).toEqual([]);
  });
});
