/* global Office */
// The function file's only script: a file, not inline, so the add-in's Content-Security-Policy needs no 'unsafe-inline'.
Office.onReady(function () {});
