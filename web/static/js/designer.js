// The planflow modeler: bpmn-js plus a small properties form of our own.
//
// planflow reads custom attributes (planflow:actor, planflow:form) and Python timer
// expressions, which bpmn-js's own panel does not know; so the form beside the canvas
// edits just those, through bpmn-js's modeling API (undo/redo keeps working). Unknown
// namespaced attributes live in the business object's $attrs and survive saveXML.
// Problems the server finds are drawn on the canvas (marker + note) and listed.
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("designer-config").textContent);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const $ = (id) => document.getElementById(id);

  const modeler = new BpmnJS({ container: $("canvas"), keyboard: { bindTo: document } });
  const modeling = modeler.get("modeling");
  const moddle = modeler.get("moddle");
  const canvas = modeler.get("canvas");
  const overlays = modeler.get("overlays");
  const registry = modeler.get("elementRegistry");
  let selected = null;
  let savedVersionId = null;
  let markedIds = [];

  // -- loading ------------------------------------------------------------------

  async function load(xml) {
    await modeler.importXML(xml);
    canvas.zoom("fit-viewport");
    showProblems([]);
    select(null);
    document.body.dataset.designerReady = "true";
  }

  async function loadFromServer() {
    const response = await fetch(config.xmlUrl, { credentials: "same-origin" });
    const body = await response.json();
    await load(body.xml);
  }

  // -- the properties form ----------------------------------------------------------

  const bo = (element) => element.businessObject;
  const isA = (element, type) => bo(element).$instanceOf(type);

  function timerDefinition(element) {
    const defs = bo(element).eventDefinitions || [];
    return defs.find((d) => d.$instanceOf("bpmn:TimerEventDefinition")) || null;
  }

  // The process itself (its id is the key its versions are kept under): the canvas root,
  // or, in a diagram drawn with a pool (SpiffArena, Camunda), the pool's process.
  function processTarget() {
    const root = canvas.getRootElement();
    if (!root || !bo(root)) return null;  // nothing imported yet
    if (isA(root, "bpmn:Process")) return { element: root, object: bo(root) };
    const pool = registry.filter((e) => e.type === "bpmn:Participant" && bo(e).processRef)[0];
    return pool ? { element: pool, object: bo(pool).processRef } : null;
  }

  function showProcess() {
    const target = processTarget();
    $("process-form").hidden = !target;
    if (!target) return;
    $("proc-id").value = target.object.id || "";
    $("proc-name").value = target.object.name || "";
  }

  function timerKind(timer) {
    // Edit the expression the timer has (Camunda writes durations): never add a timeDate beside it.
    return ["timeDuration", "timeCycle"].find((kind) => timer[kind]) || "timeDate";
  }

  function select(element) {
    selected = element && element.type !== "label" ? element : null;
    const form = $("properties-form");
    const editable = selected && selected !== canvas.getRootElement();
    form.hidden = !editable;
    $("properties-empty").hidden = Boolean(editable);
    if (!editable) {
      showProcess();
      return;
    }
    $("process-form").hidden = true;
    const object = bo(selected);
    $("prop-id").textContent = object.id;
    $("prop-type").textContent = object.$type.replace("bpmn:", "");
    $("prop-name").value = object.name || "";

    const userTask = isA(selected, "bpmn:UserTask");
    const person = userTask || isA(selected, "bpmn:ManualTask");  // a manual task asks only "done"
    $("prop-user-task").hidden = !person;
    $("prop-form-row").hidden = !userTask;
    if (person) {
      $("prop-actor").value = object.get("planflow:actor") || "";
      $("prop-form").value = object.get("planflow:form") || "";
    }
    const timer = timerDefinition(selected);
    $("prop-timer").hidden = !timer;
    if (timer) {
      const kind = timerKind(timer);
      $("prop-time").value = (timer[kind] && timer[kind].body) || "";
      $("prop-time").dataset.kind = kind;
    }

    const flow = isA(selected, "bpmn:SequenceFlow");
    $("prop-flow").hidden = !flow;
    if (flow) $("prop-condition").value = (object.conditionExpression && object.conditionExpression.body) || "";
  }

  function expression(text) {
    return text.trim() ? moddle.create("bpmn:FormalExpression", { body: text.trim() }) : undefined;
  }

  function bindField(id, apply) {
    $(id).addEventListener("change", () => { if (selected) apply(selected, $(id).value); });
  }

  bindField("prop-name", (element, value) => modeling.updateLabel(element, value));
  bindField("prop-actor", (element, value) => modeling.updateProperties(element, { "planflow:actor": value || undefined }));
  bindField("prop-form", (element, value) => modeling.updateProperties(element, { "planflow:form": value || undefined }));
  bindField("prop-time", (element, value) => {
    const timer = timerDefinition(element);
    modeling.updateModdleProperties(element, timer, { [timerKind(timer)]: expression(value) });
  });
  for (const [id, property] of [["proc-id", "id"], ["proc-name", "name"]]) {
    $(id).addEventListener("change", () => {
      const target = processTarget();
      if (target && (property !== "id" || $(id).value.trim())) {
        modeling.updateModdleProperties(target.element, target.object, { [property]: $(id).value.trim() });
      }
    });
  }
  bindField("prop-condition", (element, value) => {
    modeling.updateProperties(element, { conditionExpression: expression(value) });
  });

  modeler.on("selection.changed", (event) => select(event.newSelection[0] || null));
  modeler.on("element.changed", (event) => { if (selected && event.element === selected) select(selected); });

  // -- problems on the canvas -----------------------------------------------------------

  function showProblems(problems) {
    markedIds.forEach((id) => canvas.removeMarker(id, "pf-problem"));
    overlays.remove({ type: "pf-problem" });
    markedIds = [];
    const list = $("problems");
    list.replaceChildren();
    for (const problem of problems) {
      const item = document.createElement("li");
      item.dataset.elementId = problem.element_id || "";
      item.className = "problem-" + (problem.severity || "error");
      item.textContent = (problem.element_id ? problem.element_id + ": " : "") + problem.message;
      list.appendChild(item);
      if (problem.element_id && registry.get(problem.element_id)) {
        canvas.addMarker(problem.element_id, "pf-problem");
        markedIds.push(problem.element_id);
        const note = document.createElement("div");
        note.className = "pf-problem-note";
        note.textContent = problem.message;
        overlays.add(problem.element_id, "pf-problem", { position: { bottom: -4, left: 0 }, html: note });
        item.addEventListener("click", () => modeler.get("selection").select(registry.get(problem.element_id)));
      }
    }
  }

  function status(text, kind) {
    const el = $("designer-status");
    el.textContent = text;
    el.className = kind ? "flash flash-" + kind : "";
  }

  // -- save, deploy, download, open ---------------------------------------------------------

  async function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: JSON.stringify(body),
    });
  }

  async function save() {
    const { xml } = await modeler.saveXML({ format: true });
    let response;
    try {
      response = await post(config.saveUrl, { xml: xml, comment: $("save-comment").value });
    } catch (error) {
      status(config.text.failed, "error");
      return;
    }
    const body = await response.json();
    if (response.status === 201) {
      savedVersionId = body.id;
      showProblems(body.problems || []);  // warnings the designer accepted by saving
      $("deploy").disabled = false;
      $("deploy").dataset.versionId = body.id;
      status(config.text.saved.replace("{n}", body.number || body.id), "success");
    } else {
      showProblems((body.error && body.error.problems) || []);
      status((body.error && body.error.message) || config.text.problems, "error");
    }
  }

  async function deploy() {
    if (!savedVersionId) return;
    const response = await post(config.deployUrl.replace("/0/", "/" + savedVersionId + "/"), {});
    const body = await response.json();
    if (response.ok) {
      $("deploy").disabled = true;
      status(config.text.deployed, "success");
    } else {
      status(body.error ? body.error.message : config.text.failed, "error");
    }
  }

  async function download() {
    const { xml } = await modeler.saveXML({ format: true });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([xml], { type: "application/xml" }));
    link.download = config.fileName;
    link.click();
    URL.revokeObjectURL(link.href);
  }

  // The file's bytes go to the server, which checks them as it checks a save (size, UTF-8)
  // and gives back the text to draw, with its problems already marked.
  async function openFile(event) {
    const file = event.target.files[0];
    if (!file) return;
    let response;
    try {
      response = await fetch(config.openUrl, {
        method: "POST", credentials: "same-origin", body: await file.arrayBuffer(),
        headers: { "Content-Type": "application/octet-stream", "X-CSRFToken": csrf, Accept: "application/json" },
      });
    } catch (error) {
      status(config.text.failed, "error");
      return;
    }
    const body = await response.json();
    if (!response.ok) {
      showProblems((body.error && body.error.problems) || []);
      status((body.error && body.error.message) || config.text.loadFailed, "error");
      return;
    }
    try {
      await load(body.xml);
    } catch (error) {
      status(config.text.loadFailed, "error");
      return;
    }
    showProblems(body.problems);
    status(body.problems.length ? config.text.problemsFound : "", body.problems.length ? "error" : null);
  }

  $("save").addEventListener("click", save);
  $("deploy").addEventListener("click", deploy);
  $("download").addEventListener("click", download);
  $("upload").addEventListener("change", openFile);

  // For tests and the console: the modeler itself.
  window.planflowDesigner = { modeler: modeler, load: load };
  loadFromServer().catch(() => status(config.text.loadFailed, "error"));
})();
