#!/bin/sh
# What `make run` prints before it serves: where to browse, and the demo's
# sign-ins (sql/demo.sql), one for each role and all three validators a
# case's evidence needs (tests/http/test_startup.c checks the list).
# scripts/run.sh derives LINKDESK_BASE_URL from LINKDESK_LISTEN.
base=${LINKDESK_BASE_URL:-http://localhost:8080}
base=${base%/}
cat <<TXT

  Linkdesk is starting: browse to $base/
  Health: $base/healthz

  Demo sign-ins (password for all: demo-linkdesk-2026):
    link officer          link.officer@demo.linkdesk.test
    service-area officer  repairs.officer@demo.linkdesk.test
    validators, each signing as their title (all three sign a case's evidence):
      Assistant Director of Resident Contacts  ad.resident.contacts@demo.linkdesk.test
      Head of Dispute Resolutions              head.disputes@demo.linkdesk.test
      Resident Experience Manager              rx.manager@demo.linkdesk.test
    leadership            director@demo.linkdesk.test
    administrator         admin@demo.linkdesk.test

  Stop with Ctrl-C, then 'make stop' to stop the database too.

TXT
