// squatlab workspace: live progress of the analyses on a session page, and the upload size check.
"use strict";

function updateJob(item, job) {
  item.dataset.status = job.status;
  const badge = item.querySelector("[data-role=status]");
  badge.textContent = job.status;
  badge.className = "badge " + job.status;
  const bar = item.querySelector("progress");
  bar.value = job.progress;
  bar.hidden = !(job.status === "queued" || job.status === "running");
  item.querySelector("[data-role=stage]").textContent = job.status === "running" ? job.stage : "";
  item.querySelector("[data-role=message]").textContent = job.message || "";
}

async function pollJobs() {
  const open = [...document.querySelectorAll("[data-job]")].filter(
    (el) => el.dataset.status === "queued" || el.dataset.status === "running");
  if (!open.length) return;
  let finished = false;
  for (const item of open) {
    try {
      const response = await fetch("/api/jobs/" + item.dataset.job, { credentials: "same-origin" });
      if (!response.ok) continue;
      const job = await response.json();
      updateJob(item, job);
      if (job.status === "done") finished = true;
    } catch (e) { /* the server restarts: try again next round */ }
  }
  if (finished) { window.location.reload(); return; }
  setTimeout(pollJobs, 1000);
}

function checkSizes(form) {
  const limit = Number(form.dataset.maxBytes);
  const note = form.querySelector("[data-role=size-error]");
  form.addEventListener("submit", (event) => {
    const big = [...form.querySelector("input[type=file]").files].filter((f) => f.size > limit);
    if (big.length) {
      event.preventDefault();
      note.textContent = big.map((f) => f.name).join(", ") + ": larger than the upload limit of " +
        Math.round(limit / 1048576) + " MB; trim the clip to the set, or film at a lower resolution.";
      note.hidden = false;
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form[data-max-bytes]").forEach(checkSizes);
  setTimeout(pollJobs, 1000);
});
