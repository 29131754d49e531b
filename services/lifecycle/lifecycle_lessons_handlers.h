/* lifecycle_lessons_handlers — the lifecycle service's lessons-learned
 * requests (issue 20, item 5): RecordLesson and AdoptLesson change one
 * project each and emit its event; ListLessons reads across projects. */
#ifndef TRIN_LIFECYCLE_LESSONS_HANDLERS_H
#define TRIN_LIFECYCLE_LESSONS_HANDLERS_H

#include "trin_server.h"

/* Registers the requests on server (lifecycle_handlers_register calls it,
 * after installing the access table). */
int lifecycle_lessons_handlers_register(trin_server_t *server);

#endif
