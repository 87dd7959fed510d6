// Reads an iCalendar document on stdin and prints what ical.js (Thunderbird's
// parser) makes of it, as JSON: the calendar's properties and every VEVENT,
// with its start and end in UTC (through the VTIMEZONE of the file itself)
// and, for a recurring event, its first occurrences.
import ICAL from "ical.js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const text = Buffer.concat(chunks).toString("utf8");

const calendar = new ICAL.Component(ICAL.parse(text));
for (const zone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(zone);
}
const utc = (time) => (time ? time.toJSDate().toISOString() : null);
const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  const out = {
    uid: event.uid,
    sequence: vevent.getFirstPropertyValue("sequence"),
    status: vevent.getFirstPropertyValue("status"),
    summary: event.summary,
    description: event.description,
    location: event.location,
    url: vevent.getFirstPropertyValue("url"),
    categories: vevent.getAllProperties("categories").flatMap((p) => p.getValues()),
    dtstamp: utc(vevent.getFirstPropertyValue("dtstamp")),
    start: utc(event.startDate),
    end: utc(event.endDate),
    tzid: event.startDate ? event.startDate.zone.tzid : null,
    recurrence_id: utc(event.recurrenceId),
    occurrences: [],
  };
  if (event.isRecurring()) {
    const iterator = event.iterator();
    for (let next = iterator.next(), n = 0; next && n < 500; next = iterator.next(), n++) {
      out.occurrences.push(utc(next));
    }
  }
  return out;
});
process.stdout.write(JSON.stringify({
  name: calendar.getFirstPropertyValue("name"),
  x_wr_calname: calendar.getFirstPropertyValue("x-wr-calname"),
  events,
}));
