-- A copy of the database (staging, tests) never calls TusFacturas with production
-- credentials, nor checks customers or vouchers automatically.
UPDATE tusfacturas_account
   SET usertoken = NULL,
       apikey = NULL,
       apitoken = NULL,
       voucher_check_active = false;
UPDATE res_company
   SET tusfacturas_check_active = false;
