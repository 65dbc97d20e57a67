/* Every HTTP handler, listed in the route table of server/http/routes.c. */
#ifndef HANDLERS_H
#define HANDLERS_H

#include "http.h"

/* h_system.c */
enum ld_err h_healthz(struct request *req);
enum ld_err h_ping(struct request *req);
enum ld_err h_openapi(struct request *req);
enum ld_err h_workdays(struct request *req);
enum ld_err h_workdays_post(struct request *req);

/* h_auth.c */
enum ld_err h_signin(struct request *req);
enum ld_err h_signout(struct request *req);
enum ld_err h_me(struct request *req);
enum ld_err h_session_end(struct request *req);
enum ld_err h_tokens(struct request *req);
enum ld_err h_token_create(struct request *req);
enum ld_err h_token_revoke(struct request *req);

/* h_cases.c */
enum ld_err h_complaint_add(struct request *req);
enum ld_err h_complaint_get(struct request *req);
enum ld_err h_resident_put(struct request *req);
enum ld_err h_case_register(struct request *req);
enum ld_err h_case_list(struct request *req);
enum ld_err h_case_get(struct request *req);
enum ld_err h_correspondence_add(struct request *req);
enum ld_err h_determination_add(struct request *req);
enum ld_err h_case_stage(struct request *req);
enum ld_err h_case_close(struct request *req);
enum ld_err h_task_list(struct request *req);
enum ld_err h_task_get(struct request *req);
enum ld_err h_task_action(struct request *req);
enum ld_err h_task_update(struct request *req);

/* h_admin.c */
enum ld_err h_areas(struct request *req);
enum ld_err h_area_add(struct request *req);
enum ld_err h_area_update(struct request *req);
enum ld_err h_users(struct request *req);
enum ld_err h_user_add(struct request *req);
enum ld_err h_user_update(struct request *req);
enum ld_err h_ombudsmen(struct request *req);
enum ld_err h_validator_titles(struct request *req);
enum ld_err h_positions(struct request *req);
enum ld_err h_position_set(struct request *req);
enum ld_err h_recipients(struct request *req);
enum ld_err h_recipient_add(struct request *req);
enum ld_err h_recipient_delete(struct request *req);
enum ld_err h_outbox(struct request *req);
enum ld_err h_holidays_import(struct request *req);

/* h_files.c */
extern const struct upload_ops file_upload_ops;
enum ld_err h_file_upload(struct request *req);
enum ld_err h_file_download(struct request *req);
enum ld_err h_file_remove(struct request *req);
enum ld_err h_bundle(struct request *req);

/* h_feeds.c */
enum ld_err h_feeds(struct request *req);
enum ld_err h_feed_create(struct request *req);
enum ld_err h_feed_revoke(struct request *req);
enum ld_err h_feed(struct request *req);
enum ld_err h_outbox_retry(struct request *req);

#endif
