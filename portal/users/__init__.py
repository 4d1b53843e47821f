"""Managing users: the admin list, invitations by e-mail, changes of role and organisation, deactivation."""
