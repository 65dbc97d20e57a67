#include "notice.h"

#include "date.h"

const char *const notice_event_names[] = {"first_chaser",    "final_chaser",
					  "sanction_notice", "determination",
					  "task_assigned",   NULL};

static const char *const headline[] = {
	[NOTICE_FIRST_CHASER] = "1st chaser from the Ombudsman",
	[NOTICE_FINAL_CHASER] = "Final chaser from the Ombudsman",
	[NOTICE_SANCTION] = "Ombudsman sanction notice",
	[NOTICE_DETERMINATION] = "Ombudsman final determination",
	[NOTICE_TASK_ASSIGNED] = "New Ombudsman task",
};

static const char *const ask[] = {
	[NOTICE_FIRST_CHASER] =
		"The Ombudsman has chased information it asked for. The "
		"service area has been asked to provide it as a priority.",
	[NOTICE_FINAL_CHASER] =
		"The Ombudsman has sent a final chaser. If the information is "
		"not provided it may issue a %s.",
	[NOTICE_SANCTION] = "The Ombudsman has issued a %s on this case.",
	[NOTICE_DETERMINATION] =
		"The Ombudsman has made its final determination. Its orders "
		"and recommendations are now tasks with due dates.",
	[NOTICE_TASK_ASSIGNED] = "A task has been set for your service area.",
};

enum ld_err notice_build(enum notice_event event, const struct notice_facts *f,
			 struct buf *subject, struct buf *body)
{
	enum ld_err err;

	if (event < 0 || event >= NOTICE_EVENT_COUNT)
		return LD_EINVAL;
	if (event == NOTICE_TASK_ASSIGNED)
		err = buf_printf(subject, "%s: %s %s: %s", headline[event],
				 f->ombudsman, f->case_ref, f->task_title);
	else
		err = buf_printf(subject, "%s: %s %s (complaint %s)",
				 headline[event], f->ombudsman, f->case_ref,
				 f->complaint_ref);
	if (err)
		return err;
	if ((err = buf_printf(body, ask[event], f->sanction)) ||
	    (err = buf_printf(body,
			      "\n\nOmbudsman: %s\nOmbudsman reference: %s\n"
			      "Complaint reference: %s\nService area: %s\n",
			      f->ombudsman, f->case_ref, f->complaint_ref,
			      f->service_area)))
		return err;
	if (f->task_title &&
	    (err = buf_printf(body, "Task: %s\n", f->task_title)))
		return err;
	/* Dates as the pages write them: "Wednesday 6 January 2027". */
	int32_t due;
	if (f->due_date && !date_parse(f->due_date, &due)) {
		char text[DATE_LONG_LEN];
		date_format_long(due, text);
		if ((err = buf_printf(body, "Due: %s\n", text)))
			return err;
	}
	return buf_printf(body, "\nOpen it in Linkdesk: %s\n", f->link);
}
