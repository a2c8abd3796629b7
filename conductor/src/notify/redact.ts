// Webhook URLs carry their token in the path (Slack's /services/T…/B…/secret) or the query, and
// headers carry API keys: what reaches a log, an event or a state file keeps only the scheme and host.

/** `https://hooks.slack.com/services/T0/B0/xyz` → `https://hooks.slack.com/…`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const rest = parsed.pathname !== '/' || parsed.search ? '/…' : '';
    return `${parsed.protocol}//${parsed.host}${rest}`;
  } catch {
    return '(an invalid URL)';
  }
}

/** Replaces every occurrence of each secret (and of its URL-redacted form's hidden part) in `text`. */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue; // too short to be a credential, and replacing it would garble text
    out = out.split(secret).join(secretPlaceholder(secret));
  }
  return out;
}

function secretPlaceholder(secret: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(secret) ? redactUrl(secret) : '[redacted]';
}
