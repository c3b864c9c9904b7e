/**
 * The studio's entry (bundled to dist/studio.js): the shell, the content-staff views, and the analyst views
 * from views/analytics/ (another module defines those elements). Each module defines its custom elements.
 */
import "./shell/studio-app";
import "./views/templates/templates-list";
import "./views/templates/template-editor";
import "./views/rules/rules-list";
import "./views/rules/rule-editor";
import "./views/segments/segments-list";
import "./views/segments/segment-editor";
import "./views/settings/policy-view";
import "./views/settings/mappings-view";
import "./views/try/try-learner";
import "./views/analytics/index";
