// The movement's public contact address. Shown wherever we tell readers, members or donors to write to us:
// the about and privacy pages, the donate page's error messages and donation emails.

/** Where readers, members and donors write to us. */
export const CONTACT_EMAIL = "hello@smallism.org";
