import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import type { ReactElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';

/** The pane's components without Office: props in, markup out (interaction is tested in Chromium). */
export const render = (el: ReactElement) =>
  renderToStaticMarkup(<FluentProvider theme={webLightTheme}>{el}</FluentProvider>);

/** The visible text of rendered markup, whitespace folded. */
export const text = (html: string) =>
  html
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ');
