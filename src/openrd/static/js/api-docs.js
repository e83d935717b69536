/*
 * The API documentation page (Swagger UI), made to read as one outline:
 * Swagger UI titles the API with an <h1> and its tag groups with <h3>, skipping
 * a level, its schema list with <h4>, and the sections of an opened
 * operation with <h4>. As Swagger UI renders them, tag groups and the schema
 * list are marked as level-2 headings and an operation's sections as level 3.
 */
(function () {
  "use strict";
  var LEVELS = [
    ["h3.opblock-tag, section.models > h4", "2"],
    [".opblock-section-header h4, .opblock-section-header h3", "3"],
  ];
  function levelTags(root) {
    LEVELS.forEach(function (entry) {
      root.querySelectorAll(entry[0]).forEach(function (heading) {
        if (!heading.hasAttribute("aria-level")) {
          heading.setAttribute("aria-level", entry[1]);
        }
      });
    });
  }
  var target = document.getElementById("swagger-ui");
  if (!target) {
    return;
  }
  new MutationObserver(function () {
    levelTags(target);
  }).observe(target, { childList: true, subtree: true });
  levelTags(target);
})();
