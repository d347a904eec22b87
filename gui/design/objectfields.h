#pragma once
// The common fields of each kind as the inspector shows them: a label, an editor type and how
// the value is read from and written into the object (Json). Pure data and functions, so the
// forms are table-driven and tested without widgets.

#include "engine/core/json.h"

#include <QCoreApplication>
#include <QStringList>

#include <functional>
#include <optional>
#include <vector>

namespace cd::gui {

struct ObjectField {
    enum class Editor {
        Line,    // one line of text
        Number,  // an integer
        Choice,  // one of `choices`
        Lines,   // several lines (key=value per line, one port per line, ...)
        Checks,  // any of `choices`
    };
    QString id;     // stable id for tests and settings: "replicas", "image", "service.type"
    QString label;  // translated
    Editor editor = Editor::Line;
    QStringList choices;
    QString placeholder;  // a hint of the expected form ("80:8080/TCP")
    std::function<QString(const Json &object)> read;
    // Writes the text into the object; a message when the text is not valid for the field.
    std::function<std::optional<QString>(Json &object, const QString &text)> write;
};

// Fields for a manifest object of the given kind (name, namespace and labels first).
std::vector<ObjectField> objectFields(const QString &kind);
// Fields of a node plan entry (name, kind, cpu, memory, pods, labels, taints).
std::vector<ObjectField> nodeFields();

// Helpers shared with the tests: "a=b, c=d" / one per line, as a map.
QString formatLabels(const Json &map, const QString &separator = QStringLiteral(", "));
std::optional<Json> parseLabels(const QString &text);

} // namespace cd::gui
