// The movement's public contact address. Shown wherever we tell readers, members or donors to write to us:
// the about and privacy pages, the donate form's messages and the security emails members receive.

/** Where readers, members and donors write to us. */
export const CONTACT_EMAIL = "hello@smallism.org";
