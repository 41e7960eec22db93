const { rm } = require('node:fs/promises');
const { src, dest, parallel } = require('gulp');

// tsc never deletes: without this, files of removed or renamed sources would stay in dist/ and be published.
exports.clean = () => rm('dist', { recursive: true, force: true });

// Descriptions point at ../icons and ../../icons, so dist/ keeps the same layout as the sources.
const copyIcons = () => src('icons/*.{svg,png}', { encoding: false }).pipe(dest('dist/icons'));

// Codex files (*.node.json) describe the nodes in n8n's nodes panel; tsc does not copy them.
const copyCodex = () => src('nodes/**/*.node.json').pipe(dest('dist/nodes'));

exports.build = parallel(copyIcons, copyCodex);
