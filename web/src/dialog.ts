// The confirmation every action asks for before it changes the site.

import { h } from './dom';

// A modal question with the native <dialog>: focus stays inside, Escape
// answers no, the confirming button is never the default one.
export function Confirm(title: string, body: (Node | null)[], yes: string): Promise<boolean> {
  return new Promise((resolve) => {
    const ok = h('button', { type: 'button', id: 'confirm-yes', class: 'danger' }, yes);
    const no = h('button', { type: 'button', id: 'confirm-no' }, 'Back');
    const dialog = h('dialog', { id: 'confirm', 'aria-labelledby': 'confirm-h' }, h('h2', { id: 'confirm-h' }, title), ...body, h('div', { class: 'row' }, no, ok));
    const done = (answer: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    ok.addEventListener('click', () => done(true));
    no.addEventListener('click', () => done(false));
    dialog.addEventListener('cancel', (ev) => {
      ev.preventDefault();
      done(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    no.focus();
  });
}
