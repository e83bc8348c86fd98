/* Copyright 2026 crm_relation developers
 * License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */
/**
 * Browser tours of the Customer Relations screens, run by
 * crm_relation/tests/test_tours.py in headless Chromium. Steps select by
 * menu xml ids, field and button names and the test's own data, never by a
 * translated label: the account manager works in Chinese.
 */
import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_utils";
import {user} from "@web/core/user";

// The test's own customer (see test_tours.py): data, not a label.
const CUSTOMER = "巡检客户 Tour Customer";
// No closing parenthesis at the end: the tour's "edit" action drops it.
const OUTCOME = "客户同意续约 · tour";

function openApp() {
    return [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Customer Relations app",
            trigger: '.o_app[data-menu-xmlid="crm_relation.menu_crm_relation_root"]',
            run: "click",
        },
    ];
}

function openMenu(xmlid, parent) {
    const steps = [];
    if (parent) {
        steps.push({
            content: `Open the menu ${parent}`,
            trigger: `.o_main_navbar [data-menu-xmlid="${parent}"]`,
            run: "click",
        });
    }
    steps.push({
        content: `Open ${xmlid}`,
        trigger: `[data-menu-xmlid="${xmlid}"]`,
        run: "click",
    });
    return steps;
}

registry.category("web_tour.tours").add("crm_relation_account_manager_tour", {
    steps: () => [
        {
            content: "The account manager works in Chinese",
            trigger: "body",
            run() {
                if (user.lang !== "zh-CN" && user.context.lang !== "zh_CN") {
                    throw new Error(`the interface is in ${user.context.lang}, not zh_CN`);
                }
            },
        },
        ...openApp(),
        ...openMenu("crm_relation.menu_crm_relation_customers"),
        {
            content: "The Customers list shows tiers and scores",
            trigger:
                ".o_list_view th[data-name='relation_tier_id'] ~ th[data-name='rfm_score']",
        },
        {
            content: "Search the test's customer",
            trigger: ".o_searchview_input",
            run: `edit ${CUSTOMER}`,
        },
        {
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            content: "Open the customer",
            trigger: `.o_list_view .o_data_row:contains('${CUSTOMER}') td.o_data_cell:first`,
            run: "click",
        },
        {
            content: "Open the Relationship tab",
            trigger: ".o_form_view .o_notebook_headers a[name='crm_relation']",
            run: "click",
        },
        {
            content: "The tab shows the customer's tier, status and RFM figures",
            trigger:
                ".o_form_view .o_notebook .tab-pane.active:has(div[name='relation_tier_id']):has(div[name='relation_status']):has(div[name='rfm_monetary'])",
        },
        ...openMenu("crm_relation.menu_crm_relation_visit", "crm_relation.menu_crm_relation_visits"),
        {
            content: "The visit calendar opens",
            trigger: ".o_calendar_view .fc-view",
        },
        {
            content: "Plan a visit: click today on the calendar",
            trigger: ".o_calendar_view .fc-daygrid-day.fc-day-today",
            run() {
                // FullCalendar plans on a press and release of the mouse.
                const cell = this.anchor.firstChild || this.anchor;
                cell.scrollIntoView();
                const box = cell.getBoundingClientRect();
                const at = {
                    bubbles: true,
                    which: 1,
                    button: 0,
                    clientX: box.x + box.width / 2,
                    clientY: box.y + box.height / 2,
                };
                cell.dispatchEvent(new MouseEvent("mousedown", at));
                cell.dispatchEvent(new MouseEvent("mouseup", at));
            },
        },
        {
            content: "Choose the customer",
            trigger: ".modal .o_form_view div[name='partner_id'] input",
            run: `edit ${CUSTOMER}`,
        },
        {
            trigger: `.o-autocomplete--dropdown-item:contains('${CUSTOMER}')`,
            run: "click",
        },
        {
            trigger: `.modal .o_form_view div[name='partner_id'] input:value('${CUSTOMER}')`,
        },
        {
            content: "Save the planned visit",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "Show the customer's visits only",
            trigger: ".o_searchview_input",
            run: `edit ${CUSTOMER}`,
        },
        {
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            trigger: `.o_searchview_facet:contains('${CUSTOMER}')`,
        },
        {
            content: "The visit is on the calendar: open it",
            trigger: `.o_calendar_view .fc-event:contains('${CUSTOMER}')`,
            async run() {
                // The calendar may render again after the search: click
                // until the event's popover stays open.
                for (let attempt = 0; attempt < 10; attempt++) {
                    const event = [
                        ...document.querySelectorAll(".o_calendar_view .fc-event"),
                    ].find((element) => element.textContent.includes(CUSTOMER));
                    event?.click();
                    await new Promise((resolve) => setTimeout(resolve, 500));
                    if (document.querySelector(".o_cw_popover .o_cw_popover_edit")) {
                        return;
                    }
                }
                throw new Error("the visit's popover does not open");
            },
        },
        {
            content: "Edit it from its popover",
            trigger: ".o_cw_popover .o_cw_popover_edit",
            run: "click",
        },
        {
            content: "Write its outcome",
            trigger: ".modal .o_form_view div[name='outcome'] textarea, .modal .o_form_view div[name='outcome'] input",
            run: `edit ${OUTCOME}`,
        },
        {
            content: "Mark it done",
            trigger: ".modal .o_form_view .o_statusbar_buttons button[name='action_done']",
            run: "click",
        },
        {
            content: "The visit is done",
            trigger:
                ".modal .o_form_view .o_statusbar_status button[data-value='done'].o_arrow_button_current",
        },
        {
            content: "Close the visit",
            trigger: ".modal .btn-close",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
    ],
});

// Wait until every data source of the dashboard answered, then fail on any
// cell in error or any chart whose data cannot load.
async function checkDashboard() {
    const started = Date.now();
    const services = () => odoo.__WOWL_DEBUG__.root.env.services;
    const active = () => {
        const loader = services().spreadsheet_dashboard_loader;
        return loader && loader.getActiveDashboard();
    };
    let dashboard = active();
    while (!dashboard || !dashboard.model) {
        if (Date.now() - started > 60000) {
            throw new Error("the dashboard did not load");
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
        dashboard = active();
    }
    const {waitForDataLoaded} = odoo.loader.modules.get("@spreadsheet/helpers/model");
    const {toXC} = odoo.loader.modules.get("@odoo/o-spreadsheet").helpers;
    const model = dashboard.model;
    await waitForDataLoaded(model);
    const errors = [];
    let cells = 0;
    for (const sheetId of model.getters.getSheetIds()) {
        const name = model.getters.getSheetName(sheetId);
        for (const position of model.getters.getEvaluatedCellsPositions(sheetId)) {
            const cell = model.getters.getEvaluatedCell(position);
            cells++;
            if (cell.type === "error") {
                errors.push(
                    `${name}!${toXC(position.col, position.row)}: ${cell.value} ${cell.message || ""}`
                );
            }
        }
        for (const figure of model.getters.getFigures(sheetId)) {
            const chart = model.getters.getChart(figure.id);
            if (chart && chart.type.startsWith("odoo_")) {
                const source = model.getters.getChartDataSource(figure.id);
                if (!source.isValid()) {
                    errors.push(`chart ${figure.id} cannot load its data`);
                }
            }
        }
    }
    if (!cells) {
        throw new Error("the dashboard shows no cell");
    }
    if (errors.length) {
        throw new Error("dashboard cells in error:\n" + errors.join("\n"));
    }
}

registry.category("web_tour.tours").add("crm_relation_manager_tour", {
    steps: () => [
        {
            content: "The submitted week, with its visits",
            trigger:
                ".o_form_view .o_statusbar_status button[data-value='submitted'].o_arrow_button_current",
        },
        {
            trigger: ".o_form_view div[name='visit_ids'] .o_data_row",
        },
        {
            content: "Approve the week",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_approve']",
            run: "click",
        },
        {
            content: "The week is approved",
            trigger:
                ".o_form_view .o_statusbar_status button[data-value='approved'].o_arrow_button_current",
        },
        {
            trigger: ".o_form_view div[name='approver_id']",
        },
        ...openApp(),
        {
            content: "The app opens on its dashboard",
            trigger: ".o_spreadsheet_dashboard_action .o_renderer .o-grid, .o_spreadsheet_dashboard_action .o-spreadsheet",
        },
        {
            content: "No loading error",
            trigger: ".o_spreadsheet_dashboard_action:not(:has(.dashboard-loading-status))",
        },
        {
            content: "Every cell and chart of the dashboard evaluates",
            trigger: ".o_spreadsheet_dashboard_action",
            run: checkDashboard,
        },
    ],
});

// Nothing on the screen edits: no create, edit, delete, duplicate, archive
// or import, and no action but Export.
const NO_EDIT_CONTROLS = [
    ".o_list_button_add",
    ".o_form_button_create",
    ".o_form_button_save",
    ".o_list_button_save",
    ".o_statusbar_buttons button",
    ".o_button_import",
].join(", ");
const EDITING_ITEMS = ".o-dropdown--menu .o_menu_item:not(:has(.fa-upload))";

function isShown(element) {
    return (
        element.getClientRects().length > 0 &&
        getComputedStyle(element).visibility !== "hidden"
    );
}

function noEditControls(what) {
    return {
        content: `No button that edits on the ${what}`,
        trigger: `.o_${what}_view`,
        run() {
            const shown = [...document.querySelectorAll(NO_EDIT_CONTROLS)].filter(isShown);
            if (shown.length) {
                throw new Error(
                    `the auditor sees controls that edit on the ${what}: ` +
                        shown.map((element) => element.className).join("; ")
                );
            }
        },
    };
}

// The control panel's actions menu, if there is one (there is none when it
// would be empty), offers nothing but Export.
function actionsOfferNothingThatEdits(what) {
    return {
        content: `The actions of the ${what} offer nothing that edits`,
        trigger: ".o_control_panel",
        async run() {
            const menu = document.querySelector(
                ".o_control_panel .o_cp_action_menus button:has(.fa-cog)"
            );
            if (!menu) {
                return;
            }
            menu.click();
            const started = Date.now();
            while (!document.querySelector(".o-dropdown--menu")) {
                if (Date.now() - started > 10000) {
                    throw new Error(`the actions menu of the ${what} did not open`);
                }
                await new Promise((resolve) => setTimeout(resolve, 100));
            }
            const editing = [...document.querySelectorAll(EDITING_ITEMS)];
            menu.click();
            if (editing.length) {
                throw new Error(
                    `the auditor is offered on the ${what}: ` +
                        editing.map((item) => item.textContent.trim()).join(", ")
                );
            }
        },
    };
}

registry.category("web_tour.tours").add("crm_relation_auditor_tour", {
    steps: () => [
        ...openApp(),
        ...openMenu("crm_relation.menu_crm_relation_audit", "crm_relation.menu_crm_relation_reports"),
        {
            content: "The audit trail lists entries",
            trigger: ".o_list_view .o_data_row td[name='field_label']",
        },
        noEditControls("list"),
        {
            content: "Select an entry",
            trigger: ".o_list_view .o_data_row:first .o_list_record_selector input",
            run: "click",
        },
        {
            trigger: ".o_control_panel .o_selection_container",
        },
        actionsOfferNothingThatEdits("selected entry"),
        {
            content: "Unselect the entry",
            trigger: ".o_list_view .o_data_row:first .o_list_record_selector input",
            run: "click",
        },
        {
            trigger: ".o_list_view:not(:has(.o_data_row.o_data_row_selected))",
        },
        {
            content: "Open an entry",
            trigger: ".o_list_view .o_data_row:first td[name='field_label']",
            run: "click",
        },
        {
            content: "The entry opens read-only",
            trigger: ".o_form_view .o_form_readonly div[name='field_name']",
        },
        noEditControls("form"),
        {
            trigger: ".o_form_view:not(:has(.o_field_widget input:not([readonly]), .o_field_widget textarea:not([readonly])))",
        },
        actionsOfferNothingThatEdits("entry's form"),
    ],
});
