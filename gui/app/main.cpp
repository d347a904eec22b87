// clusterdeck: the IDE. A thin main over the shell library.
#include "gui/shell/application.h"

int main(int argc, char *argv[])
{
    return cd::gui::runApplication(argc, argv);
}
