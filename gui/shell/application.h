#pragma once
// The IDE's start: command line (--open, --sample, --theme, --lang, --screenshot), settings,
// translations and theme, then the main window. Shared by main() and the tests.

namespace cd::gui {

int runApplication(int argc, char *argv[]);

} // namespace cd::gui
