#pragma once
// Autosave and recovery: a modified design is written every half minute beside the user's data
// (never over their files); after a crash, opening the same design offers what was written.

#include <QMap>
#include <QString>

namespace cd::gui {

class DesignDocument;

class Autosave {
public:
    // Where the design opened from `folder` ("" for an unsaved design) is autosaved.
    static QString folderFor(const QString &designFolder);

    // Writes every file of the design (replacing an older autosave).
    static bool write(const DesignDocument &document);
    // The autosaved files of that design (relative path -> text); empty when there are none.
    static QMap<QString, QString> read(const QString &designFolder);
    static void discard(const QString &designFolder);
};

} // namespace cd::gui
