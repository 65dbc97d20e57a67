#!/bin/sh
# What `make run` prints before it serves.
listen=${LINKDESK_LISTEN:-127.0.0.1:8080}
port=${listen##*:}
cat <<TXT

  Linkdesk is starting: browse to http://localhost:$port/
  Health: http://localhost:$port/healthz

  Demo sign-ins (password for all: demo-linkdesk-2026):
    link officer          link.officer@demo.linkdesk.test
    service-area officer  repairs.officer@demo.linkdesk.test
    validator             ad.resident.contacts@demo.linkdesk.test
    leadership            director@demo.linkdesk.test
    administrator         admin@demo.linkdesk.test

  Stop with Ctrl-C, then 'make stop' to stop the database too.

TXT
