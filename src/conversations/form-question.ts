/**
 * The nodes that are a form's questions, answered with their buttons, and the consents asked
 * before one (a "why do you need this?" is answered, and the consent asked again).
 */
const FORM_QUESTION =
  /^(?:intake|assess|employment):q|^plan:when$|^(?:intake|plan|employment):(?:sensitive-)?consent$/u;

/** Whether the node the person is at is a form's question (or the consent before one). */
export function isFormQuestion(node: string): boolean {
  return FORM_QUESTION.test(node);
}
