"""The main window: rail, work area, message line, session and login, start-up summary, maintenance watch,
sync panel and the self-test's tour of the screens. Assembles the feature screens."""
