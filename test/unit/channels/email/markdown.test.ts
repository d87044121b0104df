import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../../../channels/email/index.js';

describe('markdown subset', () => {
  it('makes paragraphs from blank-line separated blocks and keeps single line breaks', () => {
    expect(renderMarkdown('one\ntwo\n\n\nthree\r\n')).toEqual({
      html: '<p>one<br>\ntwo</p>\n<p>three</p>',
      text: 'one\ntwo\n\nthree',
    });
  });

  it('renders bold, italic and nested emphasis', () => {
    expect(renderMarkdown('**bold** and *italic* and **bold *both* here**').html).toBe(
      '<p><strong>bold</strong> and <em>italic</em> and <strong>bold <em>both</em> here</strong></p>',
    );
    expect(renderMarkdown('a * b * c and 2 ** 3').html).toBe('<p>a * b * c and 2 ** 3</p>');
  });

  it('renders _italic_ as documented, but leaves underscores inside words and URLs alone', () => {
    expect(renderMarkdown('_italic_ and **bold _both_ here**')).toEqual({
      html: '<p><em>italic</em> and <strong>bold <em>both</em> here</strong></p>',
      text: 'italic and bold both here',
    });
    expect(renderMarkdown('see file_name_v2 and snake_case_words, _ a _ b').html).toBe(
      '<p>see file_name_v2 and snake_case_words, _ a _ b</p>',
    );
    expect(renderMarkdown('https://bank.example/a_b_c').html).toBe(
      '<p><a href="https://bank.example/a_b_c">https://bank.example/a_b_c</a></p>',
    );
    expect(renderMarkdown('(_note_) and é_x_').html).toBe('<p>(<em>note</em>) and é_x_</p>');
  });

  it('renders bullet lists with -, * or +', () => {
    expect(renderMarkdown('Points:\n- one\n* **two**\n+ three\nafter').html).toBe(
      '<p>Points:</p>\n<ul>\n<li>one</li>\n<li><strong>two</strong></li>\n<li>three</li>\n</ul>\n<p>after</p>',
    );
    expect(renderMarkdown('- one\n- two').text).toBe('- one\n- two');
  });

  it('links only http(s) URLs', () => {
    expect(renderMarkdown('[site](https://bank.example/a?b=1&c=2)').html).toBe(
      '<p><a href="https://bank.example/a?b=1&amp;c=2">site</a></p>',
    );
    expect(renderMarkdown('[**bold** label](http://bank.example)').html).toBe(
      '<p><a href="http://bank.example/"><strong>bold</strong> label</a></p>',
    );
    for (const url of [
      'javascript:alert(1)',
      'data:text/html,x',
      'vbscript:x',
      'mailto:a@b.example',
      '/relative',
      'JaVaScRiPt:alert(1)',
    ]) {
      const { html } = renderMarkdown(`[x](${url})`);
      expect(html).not.toContain('<a ');
      expect(html).toContain('[x]');
    }
  });

  it('links bare URLs without swallowing trailing punctuation', () => {
    expect(renderMarkdown('See https://bank.example/x, or (https://bank.example/y).').html).toBe(
      '<p>See <a href="https://bank.example/x">https://bank.example/x</a>, or (<a href="https://bank.example/y">https://bank.example/y</a>).</p>',
    );
  });

  it('escapes every other piece of HTML', () => {
    const { html, text } = renderMarkdown(
      '<script>alert("x")</script>\n\n**<b onclick=x>hi</b>**\n\n[a"b](https://x.example/"onmouseover="x)',
    );
    expect(html).toBe(
      '<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>\n<p><strong>&lt;b onclick=x&gt;hi&lt;/b&gt;</strong></p>\n<p><a href="https://x.example/%22onmouseover=%22x">a&quot;b</a></p>',
    );
    expect(text).toContain('<script>alert("x")</script>');
    expect(renderMarkdown('[a](https://x.example/"onmouseover=alert(1))').html).not.toMatch(/<a[^>]*onmouseover/);
  });

  it('drops control characters', () => {
    expect(renderMarkdown('a\u0000b\u001bc\td').html).toBe('<p>abc d</p>');
  });
});
