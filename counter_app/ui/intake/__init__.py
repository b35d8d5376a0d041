"""The intake screen: the form, the procedure picker, the papers checklist and the confirmation."""
